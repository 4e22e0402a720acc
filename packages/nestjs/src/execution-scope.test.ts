import { Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { getCurrentScope } from '@tributary/core';
import { createTestAnalytics } from '@tributary/core/testing';
import { lastValueFrom, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { AnalyticsInterceptor } from './analytics.interceptor.js';
import { executionScope } from './execution-scope.js';
import { Track } from './track.decorator.js';

const logger = new Logger('test');

function resolverContext(graphqlContext: object, fieldName: string): ExecutionContextHost {
  const context = new ExecutionContextHost([
    {},
    {},
    graphqlContext,
    { fieldName, parentType: { name: 'Query' }, operation: { operation: 'query' } },
  ]);
  context.setType('graphql');
  return context;
}

describe('executionScope', () => {
  it('gives every resolver of one HTTP request the same scope, and another request another', () => {
    const req = { headers: { cookie: 'ajs_anonymous_id=a1', host: 'shop.test' }, url: '/graphql' };
    const first = executionScope(resolverContext({ req }, 'product'), {}, logger)!;
    const second = executionScope(resolverContext({ req }, 'reviews'), {}, logger)!;
    const other = executionScope(
      resolverContext({ req: { ...req, headers: { ...req.headers } } }, 'product'),
      {},
      logger,
    )!;
    expect(second.scope).toBe(first.scope);
    expect(first.scope.anonymousId).toBe('a1');
    expect(first.scope.context?.page?.path).toBe('/graphql');
    expect(other.scope.context?.requestId).not.toBe(first.scope.context?.requestId);
  });

  it('builds a scope for a frozen request, which it cannot mark, instead of failing', () => {
    const req = Object.freeze({
      headers: { cookie: 'ajs_anonymous_id=a1', host: 'shop.test' },
      url: '/graphql',
    });
    const execution = executionScope(resolverContext({ req }, 'product'), {}, logger);
    expect(execution?.scope.anonymousId).toBe('a1');
  });

  it('gives each gateway message its own request id and no page', () => {
    const client = { handshake: { headers: { host: 'shop.test' }, address: '127.0.0.1' } };
    const message = (): ExecutionContextHost => {
      const context = new ExecutionContextHost([client, {}, 'watch']);
      context.setType('ws');
      return context;
    };
    const first = executionScope(message(), {}, logger)!.scope;
    const second = executionScope(message(), {}, logger)!.scope;
    expect(first.context).toMatchObject({ ip: '127.0.0.1' });
    expect(first.context?.page).toBeUndefined();
    expect(second.context?.requestId).not.toBe(first.context?.requestId);
  });
});

describe('AnalyticsInterceptor on a microservice handler', () => {
  it('identifies the message through resolveUser and resolveAnonymousId, which receive the execution context', async () => {
    const client = createTestAnalytics();
    const interceptor = new AnalyticsInterceptor(new Reflector(), client, {
      resolveUser: (_request, context) =>
        context.switchToRpc().getData<{ userId?: string }>().userId,
      resolveAnonymousId: (_request, context) =>
        context.switchToRpc().getData<{ visitor?: string }>().visitor,
    });
    class OrdersController {
      @Track('Order Shipped', {
        properties: ({ body }) => ({ orderId: (body as { orderId: string }).orderId }),
      })
      shipped(): string {
        client.track({ event: 'Shipping Label Printed' });
        return 'done';
      }
    }
    const handler = OrdersController.prototype.shipped;
    const context = new ExecutionContextHost(
      [{ orderId: 'o1', userId: 'u9', visitor: 'v9' }, {}],
      OrdersController,
      handler,
    );
    context.setType('rpc');
    const result = await lastValueFrom(
      interceptor.intercept(context, {
        handle: () => {
          expect(getCurrentScope()?.anonymousId).toBe('v9');
          return of(handler());
        },
      }),
    );
    expect(result).toBe('done');
    expect(client.tracked().map((m) => [m.event, m.userId, m.anonymousId])).toEqual([
      ['Shipping Label Printed', 'u9', 'v9'],
      ['Order Shipped', 'u9', 'v9'],
    ]);
    expect(client.expectTracked('Order Shipped', { orderId: 'o1' }).context.page).toBeUndefined();
  });
});
