// The Nest imports and the app's own types around the excerpt.
import { Injectable } from '@nestjs/common';
import { AnalyticsService } from '@tributary/nestjs';
interface Cart {
  items: string[];
}
declare class OrdersService {
  create(cart: Cart): Promise<{ id: string; total: number }>;
}
