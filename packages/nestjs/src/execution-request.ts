import type { ExecutionContext } from '@nestjs/common';
import type { AnalyticsRequest } from './options.js';

/**
 * The request facts of one handler call, whatever the transport:
 * - `http`: the Express or Fastify request;
 * - `graphql`: the HTTP request that carried the operation, read from the GraphQL context
 *   (`req` under Apollo, `request` or `reply.request` under Mercurius), so every resolver of one
 *   request, batched operations included, gets the same object;
 * - `ws`: the Socket.IO handshake (headers, and its address as the socket's), with `client` (the
 *   socket) and `user` read from it;
 * - `rpc`: no transport facts (`headers` is empty); `resolveUser`/`resolveAnonymousId` read the
 *   message from the execution context.
 *
 * Reads the GraphQL context structurally (`getArgs()`), so `@nestjs/graphql` is never loaded.
 * `undefined` when the transport carries no request (a GraphQL subscription over WebSocket).
 */
export function executionRequest(context: ExecutionContext): AnalyticsRequest | undefined {
  const type = context.getType<string>();
  switch (type) {
    case 'http':
      return context.switchToHttp().getRequest<AnalyticsRequest>();
    case 'graphql':
      return graphqlRequest(context.getArgs()[2]);
    case 'ws':
      return socketRequest(context.switchToWs().getClient<unknown>());
    case 'rpc':
      return { headers: {} };
    default:
      return undefined;
  }
}

/**
 * The HTTP response of a handler call, where a cookie can be set and completion watched: the
 * Express `Response` or Fastify `FastifyReply`; under GraphQL, `res` (Apollo) or `reply`
 * (Mercurius) of the GraphQL context. `undefined` for gateways and microservices.
 */
export function executionResponse(context: ExecutionContext): unknown {
  switch (context.getType<string>()) {
    case 'http':
      return context.switchToHttp().getResponse<unknown>();
    case 'graphql': {
      const graphqlContext: unknown = context.getArgs()[2];
      if (!isObject(graphqlContext)) return undefined;
      return graphqlContext.res ?? graphqlContext.reply;
    }
    default:
      return undefined;
  }
}

function graphqlRequest(graphqlContext: unknown): AnalyticsRequest | undefined {
  if (!isObject(graphqlContext)) return undefined;
  const reply = graphqlContext.reply;
  const candidate =
    graphqlContext.req ?? graphqlContext.request ?? (isObject(reply) ? reply.request : undefined);
  return isRequest(candidate) ? candidate : undefined;
}

/**
 * A message on a socket is a request of its own: its facts come from the handshake, minus
 * X-Request-Id (each message gets its own request id). `user` is whatever a guard or `handleConnection` put on `socket.data.user`
 * (Socket.IO's per-socket store) or `socket.user`.
 */
function socketRequest(client: unknown): AnalyticsRequest | undefined {
  if (!isObject(client)) return undefined;
  const handshake = client.handshake;
  const headers: AnalyticsRequest['headers'] = {};
  let ip: string | undefined;
  if (isObject(handshake)) {
    if (isObject(handshake.headers)) {
      for (const [name, value] of Object.entries(handshake.headers)) {
        if (name === 'x-request-id') continue;
        if (typeof value === 'string' || Array.isArray(value)) headers[name] = value as string;
      }
    }
    if (typeof handshake.address === 'string') ip = handshake.address;
  }
  return {
    headers,
    ...(ip === undefined ? {} : { ip, socket: { remoteAddress: ip } }),
    client,
    get user(): unknown {
      const data = client.data;
      return (isObject(data) ? data.user : undefined) ?? client.user;
    },
  };
}

function isRequest(value: unknown): value is AnalyticsRequest {
  return isObject(value) && isObject(value.headers);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
