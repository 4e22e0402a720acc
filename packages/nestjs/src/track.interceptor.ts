import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { scopeOwnerOf, type MarkedRequest } from './request-marks.js';

/**
 * The interceptor `@Track()` puts on its handler: on an HTTP request whose scope the module
 * entered in the platform, it hands the handler to the module's interceptor, which fires the
 * events. Elsewhere (apps with GraphQL, gateways or microservices, where the module's global
 * interceptor does that already) it passes the call on. Stateless: one instance serves every app.
 */
export class TrackInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType<string>() !== 'http') return next.handle();
    const request = context.getArgs()[0] as MarkedRequest | undefined;
    const owner = scopeOwnerOf(request);
    return owner === undefined ? next.handle() : owner.intercept(context, next);
  }
}

/** The one instance `@Track()` registers (an instance, so Nest needs no provider for it). */
export const TRACK_INTERCEPTOR = new TrackInterceptor();
