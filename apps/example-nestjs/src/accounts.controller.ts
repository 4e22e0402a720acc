import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Inject,
  Post,
  UnauthorizedException,
} from '@nestjs/common';
import { AnalyticsService, Track } from '@tributary/nestjs';
import { Store, type User } from './store.js';

interface SignUpBody {
  email?: string;
  password?: string;
  plan?: User['plan'];
}

interface Session {
  userId: string;
  token: string;
}

@Controller()
export class AccountsController {
  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(AnalyticsService) private readonly analytics: AnalyticsService,
  ) {}

  /** The request has no user yet: `userId` comes from the result. */
  @Post('signup')
  @Track<Session>('Signed Up', {
    userId: ({ result }) => result?.userId,
    properties: ({ body }) => ({ plan: (body as SignUpBody).plan ?? 'free' }),
  })
  signUp(@Body() body: SignUpBody): Session {
    if (!body.email || !body.password)
      throw new BadRequestException('email and password are required');
    const user = this.store.createUser(body.email, body.password, body.plan ?? 'free');
    this.analytics.identify({ email: user.email, plan: user.plan }, { userId: user.id });
    // Joins the browser's anonymous history (ajs_anonymous_id) to the new user.
    this.analytics.alias(user.id);
    return { userId: user.id, token: user.token };
  }

  @Post('login')
  @HttpCode(200)
  @Track<Session>('Signed In', { userId: ({ result }) => result?.userId })
  @Track('Sign In Failed', {
    when: 'error',
    properties: ({ body }) => ({ email: (body as SignUpBody).email }),
  })
  login(@Body() body: SignUpBody): Session {
    const user = body.email === undefined ? undefined : this.store.findByEmail(body.email);
    if (user === undefined || user.password !== body.password)
      throw new UnauthorizedException('wrong email or password');
    return { userId: user.id, token: user.token };
  }
}
