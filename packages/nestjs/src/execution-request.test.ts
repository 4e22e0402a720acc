import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { describe, expect, it } from 'vitest';
import { executionRequest, executionResponse } from './execution-request.js';

function contextOf(type: string, args: unknown[]): ExecutionContextHost {
  const context = new ExecutionContextHost(args);
  context.setType(type);
  return context;
}

const info = { fieldName: 'product', parentType: { name: 'Query' } };

describe('executionRequest', () => {
  it('returns the HTTP request of an HTTP handler', () => {
    const request = { headers: { 'user-agent': 'ua' } };
    expect(executionRequest(contextOf('http', [request, {}, () => {}]))).toBe(request);
  });

  it("returns the HTTP request Apollo puts on the GraphQL context's req", () => {
    const req = { headers: { host: 'shop.test' } };
    expect(executionRequest(contextOf('graphql', [{}, {}, { req }, info]))).toBe(req);
  });

  it('returns the Fastify request Mercurius exposes as request or reply.request', () => {
    const request = { headers: { host: 'shop.test' } };
    expect(executionRequest(contextOf('graphql', [{}, {}, { request }, info]))).toBe(request);
    expect(executionRequest(contextOf('graphql', [{}, {}, { reply: { request } }, info]))).toBe(
      request,
    );
  });

  it('returns undefined for a GraphQL context that carries no HTTP request (a subscription)', () => {
    expect(
      executionRequest(contextOf('graphql', [{}, {}, { connectionParams: {} }, info])),
    ).toBeUndefined();
    expect(executionRequest(contextOf('graphql', [{}, {}, undefined, info]))).toBeUndefined();
  });

  it("gives a gateway message the handshake's headers and address, without its X-Request-Id", () => {
    const client = {
      handshake: {
        headers: { 'user-agent': 'ua', cookie: 'ajs_anonymous_id=a1', 'x-request-id': 'conn-1' },
        address: '10.0.0.9',
      },
      data: {} as { user?: { id: string } },
    };
    const request = executionRequest(contextOf('ws', [client, { productId: 'p1' }, 'watch']))!;
    expect(request.headers).toEqual({ 'user-agent': 'ua', cookie: 'ajs_anonymous_id=a1' });
    expect(request.ip).toBe('10.0.0.9');
    expect(request.socket).toEqual({ remoteAddress: '10.0.0.9' });
    expect(request.client).toBe(client);
    expect(request.user).toBeUndefined();
    // Read when asked: a user a guard signs in after the facts were taken still counts.
    client.data.user = { id: 'u1' };
    expect(request.user).toEqual({ id: 'u1' });
  });

  it('reads the user a gateway put on socket.user when socket.data has none', () => {
    const client = { handshake: { headers: {} }, user: { id: 'u2' } };
    expect(executionRequest(contextOf('ws', [client, {}, 'watch']))!.user).toEqual({ id: 'u2' });
  });

  it("returns the response a cookie can be set on: Express's, or Apollo's res and Mercurius's reply", () => {
    const res = { append: () => undefined };
    const reply = { header: () => undefined };
    expect(executionResponse(contextOf('http', [{ headers: {} }, res, () => {}]))).toBe(res);
    expect(executionResponse(contextOf('graphql', [{}, {}, { req: {}, res }, info]))).toBe(res);
    expect(executionResponse(contextOf('graphql', [{}, {}, { reply }, info]))).toBe(reply);
    expect(executionResponse(contextOf('ws', [{}, {}, 'watch']))).toBeUndefined();
  });

  it('gives a microservice message empty request facts, for the resolvers to read the message', () => {
    expect(executionRequest(contextOf('rpc', [{ orderId: 'o1' }, {}]))).toEqual({ headers: {} });
  });
});
