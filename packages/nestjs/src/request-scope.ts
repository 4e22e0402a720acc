import { randomUUID } from 'node:crypto';
import type { ExecutionContext, LoggerService } from '@nestjs/common';
import {
  readAnonymousIdCookie,
  requestContextFromNode,
  type Id,
  type MessageContext,
  type RequestScope,
} from '@tributary/core';
import type { AnalyticsModuleSettings, AnalyticsRequest } from './options.js';

/**
 * The request scope of one HTTP request, on Express or Fastify: its context, its anonymous id,
 * and its user id, resolved lazily (when a message is built, so after guards).
 */
export function requestScope(
  request: AnalyticsRequest,
  executionContext: ExecutionContext,
  options: AnalyticsModuleSettings,
  logger: Pick<LoggerService, 'warn'>,
): RequestScope {
  const { resolveUser, resolveAnonymousId } = options;
  const scope: RequestScope = {
    context: requestContext(request, options.context),
    userId: () => {
      try {
        return toId(
          resolveUser === undefined ? request.user?.id : resolveUser(request, executionContext),
        );
      } catch (error) {
        logger.warn(`resolveUser threw: ${String(error)}`);
        return undefined;
      }
    },
  };
  const cookie = request.headers.cookie;
  const anonymousId =
    resolveAnonymousId === undefined
      ? readAnonymousIdCookie(Array.isArray(cookie) ? cookie.join('; ') : cookie)
      : resolveAnonymousId(request, executionContext);
  if (typeof anonymousId === 'string' && anonymousId !== '') scope.anonymousId = anonymousId;
  return scope;
}

function requestContext(
  request: AnalyticsRequest,
  fields: AnalyticsModuleSettings['context'],
): MessageContext {
  if (fields === false) return {};
  // `request.ip` is the platform's: it honours Express's `trust proxy` and Fastify's `trustProxy`,
  // unlike the left-most X-Forwarded-For entry, which any client can forge.
  const context = requestContextFromNode(request, {
    ip: fields?.ip === false ? undefined : request.ip,
    userAgent: fields?.userAgent,
    locale: fields?.locale,
    page: fields?.page,
    requestId: fields?.requestId,
  });
  if (fields?.requestId !== false && context.requestId === undefined) {
    context.requestId = randomUUID();
  }
  if (fields?.route !== false) {
    // Express keeps the matched route on `req.route`, Fastify on `request.routeOptions`.
    const route = (request.route?.path ?? request.routeOptions?.url) as unknown;
    if (typeof route === 'string') context.route = route;
  }
  return context;
}

/** An id as the request scope takes it; empty strings and other values count as unknown. */
export function toId(value: Id | null | undefined): string | number | undefined {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return value === '' ? undefined : value;
  return typeof value === 'number' ? value : undefined;
}
