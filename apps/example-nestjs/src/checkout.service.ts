import { randomUUID } from 'node:crypto';
import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { AnalyticsService } from '@tributary/nestjs';
import { PaymentsService } from './payments.service.js';
import { Store } from './store.js';

export interface Order {
  orderId: string;
  total: number;
  items: number;
}

/** Tracks through `AnalyticsService`: identity and context come from the current request. */
@Injectable()
export class CheckoutService {
  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(PaymentsService) private readonly payments: PaymentsService,
    @Inject(AnalyticsService) private readonly analytics: AnalyticsService,
  ) {}

  async checkout(userId: string): Promise<Order> {
    const cart = this.store.cart(userId);
    if (cart.length === 0) throw new BadRequestException('the cart is empty');
    const total = cart.reduce(
      (sum, line) => sum + (this.store.product(line.productId)?.price ?? 0) * line.quantity,
      0,
    );
    this.analytics.track('Checkout Started', { total, items: cart.length });
    await this.payments.authorize(total);
    const order: Order = { orderId: `o-${randomUUID().slice(0, 8)}`, total, items: cart.length };
    this.analytics.track('Order Completed', {
      orderId: order.orderId,
      total,
      products: cart.map((line) => ({ productId: line.productId, quantity: line.quantity })),
    });
    this.store.carts.set(userId, []);
    return order;
  }
}
