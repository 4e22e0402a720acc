import 'reflect-metadata';
import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  Inject,
  Injectable,
  Param,
  Post,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { getCurrentScope } from '@tributary/core';
import { createTestAnalytics } from '@tributary/core/testing';
import { lastValueFrom, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { AnalyticsInterceptor } from './analytics.interceptor.js';
import { AnalyticsService } from './analytics.service.js';
import { getTestAnalytics } from './analytics-testing.module.js';
import { SkipTracking, Track } from './track.decorator.js';
import { testApps } from './test-apps.js';

@Injectable()
class AuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string>; user?: unknown }>();
    const token = request.headers.authorization;
    if (token === undefined) throw new ForbiddenException('sign in first');
    request.user = { id: token.replace('Bearer ', '') };
    return true;
  }
}

@Controller('products')
class ProductsController {
  constructor(@Inject(AnalyticsService) private readonly analytics: AnalyticsService) {}

  @Get(':id')
  @Track('Product Viewed', {
    properties: ({ params, result }) => ({
      productId: params.id,
      price: (result as { price: number }).price,
    }),
  })
  async view(@Param('id') id: string): Promise<{ id: string; price: number }> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Called after an await: the request scope must still be there.
    this.analytics.track('Product Looked Up', { productId: id });
    // The request-bound client of every adapter: alias's previousId is the visitor's id.
    this.analytics.request().alias({ userId: `viewer-of-${id}` });
    return { id, price: 12 };
  }

  @Post(':id/cart')
  @UseGuards(AuthGuard)
  @Track('Product Added', {
    properties: ({ params, body }) => ({
      productId: params.id,
      quantity: (body as { quantity: number }).quantity,
    }),
  })
  @Track('Cart Viewed')
  addToCart(@Param('id') _id: string, @Body() _body: { quantity: number }): { ok: true } {
    return { ok: true };
  }

  @Post(':id/fail')
  @Track('Checkout Failed', {
    when: 'error',
    properties: ({ error }) => ({ reason: (error as Error).message }),
  })
  @Track('Checkout Completed')
  fail(): never {
    throw new ForbiddenException('card declined');
  }

  @Get(':id/quiet')
  @SkipTracking()
  @Track('Never Sent')
  quiet(): { scope: boolean } {
    return { scope: getCurrentScope() !== undefined };
  }
}

@SkipTracking()
@Controller('health')
class HealthController {
  @Get()
  @Track('Health Checked')
  check(): string {
    return 'ok';
  }
}

const apps = testApps([ProductsController, HealthController]);

describe.each(['express', 'fastify'] as const)('AnalyticsInterceptor on %s', (platform) => {
  it('fires @Track after the handler with params, result, identity and request context', async () => {
    const url = await apps.start(platform);
    const response = await fetch(`${url}/products/p1`, {
      headers: {
        'user-agent': 'test-agent',
        'accept-language': 'fr-CH, fr;q=0.9',
        cookie: 'ajs_anonymous_id=%22anon-1%22',
        'x-forwarded-for': '203.0.113.9',
      },
    });
    expect(response.status).toBe(200);
    const analytics = getTestAnalytics(apps.app);
    const viewed = analytics.expectTracked('Product Viewed', { productId: 'p1', price: 12 });
    expect(viewed.anonymousId).toBe('anon-1');
    expect(viewed.context).toMatchObject({
      ip: '127.0.0.1',
      userAgent: 'test-agent',
      locale: 'fr-CH',
      route: '/products/:id',
      page: { path: '/products/p1' },
    });
    expect(viewed.context.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const lookedUp = analytics.expectTracked('Product Looked Up', { productId: 'p1' });
    expect(lookedUp.context.requestId).toBe(viewed.context.requestId);
    const [alias] = analytics.ofType('alias');
    expect(alias).toMatchObject({ previousId: 'anon-1', userId: 'viewer-of-p1' });
    expect(alias?.context.requestId).toBe(viewed.context.requestId);
  });

  it('keeps guards on decorated handlers and resolves the user they attach', async () => {
    const url = await apps.start(platform);
    const post = (headers: Record<string, string>) =>
      fetch(`${url}/products/p2/cart`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ quantity: 2 }),
      });
    expect((await post({})).status).toBe(403);
    const analytics = getTestAnalytics(apps.app);
    expect(analytics.messages).toHaveLength(0);
    expect((await post({ authorization: 'Bearer user-7' })).status).toBe(201);
    expect(analytics.expectTracked('Product Added', { productId: 'p2', quantity: 2 }).userId).toBe(
      'user-7',
    );
    expect(analytics.tracked().map((m) => m.event)).toEqual(['Product Added', 'Cart Viewed']);
  });

  it("fires only when: 'error' events when the handler throws", async () => {
    const url = await apps.start(platform);
    const response = await fetch(`${url}/products/p3/fail`, {
      method: 'POST',
      headers: { cookie: 'ajs_anonymous_id=a' },
    });
    expect(response.status).toBe(403);
    const analytics = getTestAnalytics(apps.app);
    expect(analytics.tracked().map((m) => m.event)).toEqual(['Checkout Failed']);
    analytics.expectTracked('Checkout Failed', { reason: 'card declined' });
  });

  it('skips handlers and controllers marked @SkipTracking()', async () => {
    const url = await apps.start(platform);
    expect(
      await (
        await fetch(`${url}/products/p4/quiet`, { headers: { cookie: 'ajs_anonymous_id=a' } })
      ).json(),
    ).toEqual({
      scope: false,
    });
    expect(
      await (await fetch(`${url}/health`, { headers: { cookie: 'ajs_anonymous_id=a' } })).text(),
    ).toBe('ok');
    expect(getTestAnalytics(apps.app).messages).toHaveLength(0);
  });
});

describe('AnalyticsInterceptor outside HTTP', () => {
  it('does not crash on an rpc context, and still fires @Track with the message data', async () => {
    const client = createTestAnalytics();
    const interceptor = new AnalyticsInterceptor(new Reflector(), client, {});
    class Handlers {
      @Track('Order Shipped', {
        properties: ({ body }) => ({ orderId: (body as { id: string }).id }),
        userId: () => 'u9',
      })
      shipped(): string {
        return 'done';
      }
    }
    const context = {
      getType: () => 'rpc',
      getHandler: () => Handlers.prototype.shipped,
      getClass: () => Handlers,
      getArgs: () => [{ id: 'o1' }],
      switchToRpc: () => ({ getData: () => ({ id: 'o1' }), getContext: () => ({}) }),
      switchToHttp: () => {
        throw new Error('not http');
      },
    } as unknown as ExecutionContext;
    const result = await lastValueFrom(
      interceptor.intercept(context, { handle: () => of('done') }),
    );
    expect(result).toBe('done');
    expect(client.expectTracked('Order Shipped', { orderId: 'o1' }).userId).toBe('u9');
    expect(client.messages[0]!.context.ip).toBeUndefined();
  });
});
