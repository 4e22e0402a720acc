import {
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Store } from './store.js';

/** Bearer-token authentication: sets `request.user`, which the analytics interceptor reads after it. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(@Inject(Store) private readonly store: Store) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; user?: unknown }>();
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const user = token === undefined ? undefined : this.store.findByToken(token);
    if (user === undefined) throw new UnauthorizedException('sign in first');
    request.user = { id: user.id, email: user.email };
    return true;
  }
}
