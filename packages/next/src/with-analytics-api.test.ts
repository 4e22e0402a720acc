import type { FlushReport } from '@tributary/core';
import { createTestAnalytics, type TestAnalytics } from '@tributary/core/testing';
import type { NextApiRequest, NextApiResponse } from 'next';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLIENT_SYMBOL } from './shared-client.js';
import { withAnalyticsApi } from './with-analytics-api.js';

let analytics: TestAnalytics;

beforeEach(() => {
  analytics = createTestAnalytics();
  (globalThis as Record<symbol, unknown>)[CLIENT_SYMBOL] = analytics;
});

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[CLIENT_SYMBOL];
  delete process.env.AWS_LAMBDA_FUNCTION_NAME;
});

const req = (headers: Record<string, string>) =>
  ({
    method: 'GET',
    url: '/api/legacy?v=1',
    headers,
    socket: { remoteAddress: '198.51.100.20' },
  }) as unknown as NextApiRequest;

function res(): NextApiResponse & { ended: boolean } {
  const response = {
    ended: false,
    statusCode: 200,
    status(code: number) {
      response.statusCode = code;
      return response;
    },
    end() {
      response.ended = true;
      return response;
    },
  };
  return response as unknown as NextApiResponse & { ended: boolean };
}

describe('withAnalyticsApi', () => {
  it('tracks with context from the Node request, the cookie’s anonymous id and the socket address', async () => {
    const handler = withAnalyticsApi(
      (_req, response, a) => {
        a.track({ event: 'Legacy Called' });
        response.status(200).end();
      },
      { resolveUser: (r) => r.headers['x-user'] as string },
    );
    await handler(
      req({
        host: 'shop.example',
        'user-agent': 'ua',
        cookie: 'ajs_anonymous_id=%22anon-5%22',
        'x-user': 'u5',
      }),
      res(),
    );
    const message = analytics.expectTracked('Legacy Called');
    expect(message).toMatchObject({ userId: 'u5', anonymousId: 'anon-5' });
    expect(message.context).toMatchObject({
      ip: '198.51.100.20',
      userAgent: 'ua',
      page: { path: '/api/legacy', search: '?v=1', url: 'http://shop.example/api/legacy?v=1' },
    });
  });

  it('takes the ip from X-Forwarded-For only through trusted hops', async () => {
    const handler = withAnalyticsApi(
      (_req, _res, a) => void a.track({ event: 'E', anonymousId: 'a' }),
      { trustedProxyHops: 1 },
    );
    await handler(req({ 'x-forwarded-for': '6.6.6.6, 203.0.113.9' }), res());
    expect(analytics.expectTracked('E').context?.ip).toBe('203.0.113.9');
  });

  it('on a serverless host without waitUntil, holds res.end until the flush settles', async () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'fn';
    let settle!: (report: FlushReport) => void;
    const flush = vi
      .spyOn(analytics, 'flush')
      .mockImplementation(() => new Promise((resolve) => (settle = resolve)));
    const response = res();
    await withAnalyticsApi((_req, r, a) => {
      a.track({ event: 'E', anonymousId: 'a' });
      r.end();
    })(req({}), response);
    expect(response.ended).toBe(false);
    // One flush, awaited before the response ends; none left to race the freeze.
    expect(flush).toHaveBeenCalledOnce();
    settle({ delivered: 1, failed: 0, pending: 0 });
    await vi.waitFor(() => expect(response.ended).toBe(true), { timeout: 10_000 });
  });

  it('delivers before rethrowing a handler error', async () => {
    const flush = vi.spyOn(analytics, 'flush');
    const boom = new Error('boom');
    const handler = withAnalyticsApi(() => {
      throw boom;
    });
    await expect(handler(req({}), res())).rejects.toBe(boom);
    expect(flush).toHaveBeenCalled();
  });
});
