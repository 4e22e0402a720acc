import 'reflect-metadata';
import {
  Controller,
  Get,
  Injectable,
  Param,
  ParseIntPipe,
  UseGuards,
  type CanActivate,
} from '@nestjs/common';

import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';

import { createTestAnalytics } from '@tributary/core/testing';
import { describe, expect, it } from 'vitest';
import { getTestAnalytics } from './analytics-testing.module.js';
import { AnalyticsExceptionFilter } from './analytics-exception.filter.js';
import { testApps } from './test-apps.js';

@Injectable()
class BrokenGuard implements CanActivate {
  canActivate(): boolean {
    throw new Error('session store down');
  }
}

@Controller('orders')
class OrdersController {
  @Get(':id')
  view(@Param('id', ParseIntPipe) id: number): { id: number } {
    if (id === 0) throw new TypeError('cannot read total');
    return { id };
  }

  @Get(':id/secret')
  @UseGuards(BrokenGuard)
  secret(): string {
    return 'never';
  }
}

const apps = testApps([OrdersController], { logger: false });

const anon = { cookie: 'ajs_anonymous_id=%22anon-1%22' };

describe.each(['express', 'fastify'] as const)('AnalyticsExceptionFilter on %s', (platform) => {
  it('records server errors thrown by a handler or a guard, and answers as Nest does', async () => {
    const url = await apps.start(platform);
    expect((await fetch(`${url}/orders/0`, { headers: anon })).status).toBe(500);
    expect((await fetch(`${url}/orders/1/secret`, { headers: anon })).status).toBe(500);
    const analytics = getTestAnalytics(apps.app);
    expect(analytics.tracked().map((m) => [m.event, m.anonymousId, m.properties])).toEqual([
      [
        'Server Error',
        'anon-1',
        {
          name: 'TypeError',
          message: 'cannot read total',
          status: 500,
          method: 'GET',
          route: '/orders/:id',
        },
      ],
      [
        'Server Error',
        'anon-1',
        {
          name: 'Error',
          message: 'session store down',
          status: 500,
          method: 'GET',
          route: '/orders/:id/secret',
        },
      ],
    ]);
  });

  it('leaves client errors from pipes unrecorded, and records nothing with trackErrors: false', async () => {
    const url = await apps.start(platform, { trackErrors: false });
    expect((await fetch(`${url}/orders/abc`, { headers: anon })).status).toBe(400);
    expect((await fetch(`${url}/orders/0`, { headers: anon })).status).toBe(500);
    expect(getTestAnalytics(apps.app).messages).toEqual([]);
  });

  it('records one request event per request, errors included, when trackRequests is on', async () => {
    const url = await apps.start(platform, { trackRequests: true, trackErrors: false });
    await fetch(`${url}/orders/7`, { headers: anon });
    await fetch(`${url}/orders/abc`, { headers: anon });
    const analytics = getTestAnalytics(apps.app);
    const deadline = Date.now() + 5000;
    while (analytics.tracked().length < 2 && Date.now() < deadline)
      await new Promise((resolve) => setImmediate(resolve));
    expect(
      analytics.tracked().map((m) => [m.event, m.properties?.route, m.properties?.status]),
    ).toEqual([
      ['Request Completed', '/orders/:id', 200],
      ['Request Completed', '/orders/:id', 400],
    ]);
  });

  it('gives a visitor without an id a new one and sets the analytics.js cookie', async () => {
    const url = await apps.start(platform);
    const response = await fetch(`${url}/orders/0`);
    const [event] = getTestAnalytics(apps.app).tracked();
    expect(event?.anonymousId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('set-cookie')).toBe(
      `ajs_anonymous_id=%22${event?.anonymousId}%22; Path=/; Max-Age=31536000; SameSite=Lax`,
    );
  });
});

describe('AnalyticsExceptionFilter on a GraphQL resolver', () => {
  const resolverHost = (req: object, res?: object) => {
    const host = new ExecutionContextHost([
      {},
      { id: '0' },
      { req, res },
      { fieldName: 'product', parentType: { name: 'Query' }, operation: { operation: 'query' } },
    ]);
    host.setType('graphql');
    return host;
  };
  const req = {
    method: 'POST',
    url: '/graphql',
    headers: { host: 'shop.test', cookie: 'ajs_anonymous_id=%22anon-gql%22' },
  };

  it("records the server error and hands it back to Nest, so it lands in the response's errors", () => {
    const client = createTestAnalytics();
    const filter = new AnalyticsExceptionFilter(client, {});
    expect(filter.catch(new Error('catalog down'), resolverHost(req))).toBeUndefined();
    expect(
      client.expectTracked('Server Error', {
        name: 'Error',
        message: 'catalog down',
        status: 500,
        method: 'POST',
        route: '/graphql',
        operation: null,
        field: 'Query.product',
      }),
    ).toMatchObject({ anonymousId: 'anon-gql' });
  });

  it('records nothing for a client error, nor when trackErrors is off', () => {
    const client = createTestAnalytics();
    new AnalyticsExceptionFilter(client, {}).catch(
      Object.assign(new Error('no such product'), { status: 404 }),
      resolverHost(req),
    );
    new AnalyticsExceptionFilter(client, { trackErrors: false }).catch(
      new Error('catalog down'),
      resolverHost(req),
    );
    expect(client.tracked()).toEqual([]);
  });
});
