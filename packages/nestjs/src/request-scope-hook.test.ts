import 'reflect-metadata';
import {
  Body,
  Controller,
  Get,
  Inject,
  Injectable,
  Post,
  Req,
  SetMetadata,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';

import { Test } from '@nestjs/testing';
import { getCurrentScope } from '@tributary/core';
import { describe, expect, it } from 'vitest';
import { AnalyticsService } from './analytics.service.js';
import { AnalyticsTestingModule, getTestAnalytics } from './analytics-testing.module.js';
import { HandlerContextGuard } from './handler-context.guard.js';
import { NON_HTTP_HANDLERS } from './tokens.js';
import { SkipTracking, Track } from './track.decorator.js';
import { TRACK_INTERCEPTOR } from './track.interceptor.js';
import { testApps } from './test-apps.js';

/** Records whether the request scope was there when guards ran. */
@Injectable()
class ScopeSeenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ scopeInGuard?: boolean }>();
    request.scopeInGuard = getCurrentScope() !== undefined;
    return true;
  }
}

@Controller('shop')
class ShopController {
  constructor(@Inject(AnalyticsService) private readonly analytics: AnalyticsService) {}

  @Get('plain')
  @UseGuards(ScopeSeenGuard)
  plain(@Req() request: { scopeInGuard?: boolean }): { scope: boolean; guard: unknown } {
    return { scope: getCurrentScope() !== undefined, guard: request.scopeInGuard };
  }

  @Post('order')
  async order(@Body() body: { sku: string }): Promise<{ ok: true }> {
    await new Promise((resolve) => setTimeout(resolve, 2));
    this.analytics.track('Order Placed', { sku: body.sku });
    return { ok: true };
  }

  @Get('tracked')
  @Track('Shop Viewed')
  @Track('Shop Viewed Again')
  tracked(): { ok: true } {
    return { ok: true };
  }

  @Get('skipped')
  @SkipTracking()
  skipped(): { scope: boolean } {
    this.analytics.track('Never Sent');
    return { scope: getCurrentScope() !== undefined };
  }
}

// What `@MessagePattern('order.shipped')` stores (this package does not depend on
// @nestjs/microservices; test/nestjs-graphql runs real microservice handlers).
@Controller('events')
class EventsController {
  @SetMetadata('microservices:pattern', [{ cmd: 'order.shipped' }])
  shipped(): string {
    return 'ok';
  }
}

const apps = testApps([ShopController]);

// Nest keeps the global guards on the application's config.
function hasHandlerContextGuard(): boolean {
  const config = (apps.app as unknown as { config: { getGlobalGuards(): unknown[] } }).config;
  return config.getGlobalGuards().some((guard) => guard instanceof HandlerContextGuard);
}

describe.each(['express', 'fastify'] as const)('the request scope on %s', (platform) => {
  it('is entered in the platform: handlers without @Track() and their guards have it', async () => {
    const url = await apps.start(platform);
    const response = await fetch(`${url}/shop/plain`);
    expect(await response.json()).toEqual({ scope: true, guard: true });
  });

  it('carries a request through a parsed body and an await into an undecorated handler', async () => {
    const url = await apps.start(platform);
    const response = await fetch(`${url}/shop/order`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: 'ajs_anonymous_id=visitor-7',
        'user-agent': 'scope-test',
      },
      body: JSON.stringify({ sku: 'sku-1' }),
    });
    expect(response.status).toBe(201);
    const placed = getTestAnalytics(apps.app).expectTracked('Order Placed', { sku: 'sku-1' });
    expect(placed.anonymousId).toBe('visitor-7');
    expect(placed.context.userAgent).toBe('scope-test');
    expect(placed.context.page?.path).toBe('/shop/order');
  });

  it('gives resolveUser the http execution context of the request and its handler', async () => {
    const seen: Array<{ type: string; sameRequest: boolean; handler: unknown; class: unknown }> =
      [];
    const url = await apps.start(platform, {
      resolveUser: (request, context) => {
        seen.push({
          type: context.getType(),
          sameRequest: context.switchToHttp().getRequest<unknown>() === request,
          handler: context.getHandler(),
          class: context.getClass(),
        });
        return 'u-1';
      },
    });
    await fetch(`${url}/shop/order`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'sku-2' }),
    });
    expect(getTestAnalytics(apps.app).expectTracked('Order Placed').userId).toBe('u-1');
    expect(seen[0]).toEqual({
      type: 'http',
      sameRequest: true,
      handler: ShopController.prototype.order,
      class: ShopController,
    });
    expect(hasHandlerContextGuard()).toBe(true);
  });

  it('adds no guard for a resolveUser that does not read its context', async () => {
    const url = await apps.start(platform, {
      resolveUser: (request) => (request.user ? 'u' : 'u-2'),
    });
    await fetch(`${url}/shop/order`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'sku-3' }),
    });
    expect(getTestAnalytics(apps.app).expectTracked('Order Placed').userId).toBe('u-2');
    expect(hasHandlerContextGuard()).toBe(false);
  });

  it('fires stacked @Track()s once each through their own interceptor', async () => {
    const url = await apps.start(platform, { anonymousId: { mint: {} } });
    await fetch(`${url}/shop/tracked`);
    expect(
      getTestAnalytics(apps.app)
        .tracked()
        .map((m) => m.event),
    ).toEqual(['Shop Viewed', 'Shop Viewed Again']);
  });

  it('is left by a @SkipTracking() handler, which trackRequests does not record', async () => {
    const url = await apps.start(platform, { trackRequests: true });
    const response = await fetch(`${url}/shop/skipped`, {
      headers: { cookie: 'ajs_anonymous_id=a' },
    });
    expect(await response.json()).toEqual({ scope: false });
    await fetch(`${url}/shop/plain`, { headers: { cookie: 'ajs_anonymous_id=a' } });
    const analytics = getTestAnalytics(apps.app);
    // The plain request's event is recorded when its response closes.
    await expect
      .poll(() => analytics.tracked().map((m) => m.properties?.route))
      .toEqual(['/shop/plain']);
  });
});

describe('where the module enters the scope', () => {
  it('puts an interceptor on @Track() handlers only', () => {
    const interceptors = (handler: unknown): unknown =>
      Reflect.getMetadata('__interceptors__', handler as object);
    expect(interceptors(ShopController.prototype.tracked)).toEqual([TRACK_INTERCEPTOR]);
    expect(interceptors(ShopController.prototype.plain)).toBeUndefined();
  });

  it('keeps the global interceptor for apps with microservice, gateway or GraphQL handlers', async () => {
    const httpOnly = await Test.createTestingModule({
      imports: [AnalyticsTestingModule.forRoot()],
      controllers: [ShopController],
    }).compile();
    const mixed = await Test.createTestingModule({
      imports: [AnalyticsTestingModule.forRoot()],
      controllers: [ShopController, EventsController],
    }).compile();
    expect(httpOnly.get(NON_HTTP_HANDLERS, { strict: false })).toBe(false);
    expect(mixed.get(NON_HTTP_HANDLERS, { strict: false })).toBe(true);
    await Promise.all([httpOnly.close(), mixed.close()]);
  });
});
