import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { AnalyticsService, Track } from '@tributary/nestjs';

/** What another service sends: the identity travels in the message (see `app.module.ts`). */
export interface OrderMessage {
  orderId: string;
  userId?: string;
  anonymousId?: string;
}

/** Handlers of the TCP microservice; their events are identified from the message. */
@Controller()
export class OrdersController {
  constructor(private readonly analytics: AnalyticsService) {}

  @MessagePattern('order.ship')
  @Track('Order Shipped', {
    properties: ({ body }) => ({ orderId: (body as OrderMessage).orderId }),
  })
  async ship(@Payload() order: OrderMessage): Promise<{ shipped: string }> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.analytics.track('Shipping Label Printed', { orderId: order.orderId });
    return { shipped: order.orderId };
  }

  @EventPattern('order.delivered')
  @Track('Order Delivered', {
    properties: ({ body }) => ({ orderId: (body as OrderMessage).orderId }),
  })
  delivered(@Payload() _order: OrderMessage): void {}
}
