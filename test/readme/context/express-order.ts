// The application's own types and storage around the excerpt.
import type { Analytics } from '@tributary/core';
interface Order {
  id: string;
}
declare const db: { insert(order: Order): Promise<void> };
