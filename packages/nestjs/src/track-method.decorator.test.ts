import 'reflect-metadata';
import {
  Controller,
  ForbiddenException,
  Get,
  Injectable,
  SetMetadata,
  UseGuards,
  type CanActivate,
  type INestApplication,
} from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { AnalyticsTestingModule, getTestAnalytics } from './analytics-testing.module.js';
import { TrackMethod } from './track-method.decorator.js';

@Injectable()
class DenyGuard implements CanActivate {
  canActivate(): boolean {
    throw new ForbiddenException();
  }
}

@Injectable()
class CheckoutService {
  @TrackMethod('Order Completed', {
    properties: ({ result }) => ({ orderId: (result as { id: string }).id }),
  })
  async checkout(cartId: string): Promise<{ id: string }> {
    await Promise.resolve();
    return { id: `order-${cartId}` };
  }

  @TrackMethod('Coupon Applied', { properties: ({ args }) => ({ code: args[0] as string }) })
  applyCoupon(code: string): number {
    return code.length;
  }

  @TrackMethod('Payment Failed', { when: 'error' })
  async pay(): Promise<never> {
    await Promise.resolve();
    throw new Error('declined');
  }
}

@Controller('admin')
class AdminController {
  @TrackMethod('Admin Opened')
  @UseGuards(DenyGuard)
  @SetMetadata('roles', ['admin'])
  @Get('panel')
  panel(): string {
    return 'secret';
  }
}

let app: INestApplication | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('@TrackMethod()', () => {
  it('tracks sync and async provider methods, and failures when asked to', async () => {
    const ref = await Test.createTestingModule({
      imports: [AnalyticsTestingModule.forRoot({ client: {} })],
      providers: [CheckoutService],
    }).compile();
    const service = ref.get(CheckoutService);
    await expect(service.checkout('c1')).resolves.toEqual({ id: 'order-c1' });
    expect(service.applyCoupon('SAVE10')).toBe(6);
    await expect(service.pay()).rejects.toThrow('declined');
    const analytics = getTestAnalytics(ref);
    // No request and no userId: the recording client rejects them; the decorator must not throw.
    expect(analytics.errors.map((e) => e.code)).toEqual([
      'VALIDATION_FAILED',
      'VALIDATION_FAILED',
      'VALIDATION_FAILED',
    ]);
    analytics.reset();
    await analytics.withScope({ anonymousId: 'anon' }, async () => {
      await service.checkout('c2');
      service.applyCoupon('X');
      await service.pay().catch(() => undefined);
    });
    expect(analytics.tracked().map((m) => m.event)).toEqual([
      'Order Completed',
      'Coupon Applied',
      'Payment Failed',
    ]);
    analytics.expectTracked('Order Completed', { orderId: 'order-c2' });
    analytics.expectTracked('Coupon Applied', { code: 'X' });
    await ref.close();
  });

  it("keeps the method's name and every metadata key, so routes and guards still work", async () => {
    const handler = AdminController.prototype.panel;
    expect(handler.name).toBe('panel');
    expect(Reflect.getMetadata(PATH_METADATA, handler)).toBe('panel');
    expect(Reflect.getMetadata(METHOD_METADATA, handler)).toBeDefined();
    expect(Reflect.getMetadata(GUARDS_METADATA, handler)).toEqual([DenyGuard]);
    expect(Reflect.getMetadata('roles', handler)).toEqual(['admin']);

    const ref = await Test.createTestingModule({
      imports: [AnalyticsTestingModule.forRoot()],
      controllers: [AdminController],
    }).compile();
    app = ref.createNestApplication();
    await app.listen(0, '127.0.0.1');
    const response = await fetch(
      `http://127.0.0.1:${(app.getHttpServer() as { address(): { port: number } }).address().port}/admin/panel`,
    );
    expect(response.status).toBe(403);
    expect(getTestAnalytics(app).messages).toHaveLength(0);
  });
});
