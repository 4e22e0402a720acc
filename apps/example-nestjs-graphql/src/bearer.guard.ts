import {
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';

interface HttpRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: { id: string };
}

/**
 * Signs the caller in from `Authorization: Bearer <user id>`, the way a JWT guard would, by setting
 * `req.user` on the HTTP request that carried the operation (Apollo: `req`, Mercurius: `reply.request`).
 */
@Injectable()
export class BearerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const graphql = GqlExecutionContext.create(context).getContext<{
      req?: HttpRequest;
      request?: HttpRequest;
      reply?: { request: HttpRequest };
    }>();
    const request = graphql.req ?? graphql.request ?? graphql.reply?.request;
    const header = request?.headers.authorization;
    const token = typeof header === 'string' ? /^Bearer (.+)$/.exec(header)?.[1] : undefined;
    if (request === undefined || token === undefined)
      throw new UnauthorizedException('sign in first');
    request.user = { id: token };
    return true;
  }
}
