import { getAnalytics, withAnalytics } from '@tributary/next';
import { demoUser } from '../../../lib/analytics-options';
import { products } from '../../../lib/catalog';

interface CheckoutBody {
  items?: { id: string; quantity?: number }[];
}

/** POST /api/checkout: `getAnalytics()` works inside a wrapped handler too, at any depth. */
export const POST = withAnalytics(
  async (request: Request) => {
    const body = (await request.json().catch(() => ({}))) as CheckoutBody;
    const lines = (body.items ?? []).flatMap((item) => {
      const product = products.find((p) => p.id === item.id);
      return product === undefined
        ? []
        : [{ product_id: product.id, price: product.price, quantity: item.quantity ?? 1 }];
    });
    const total = lines.reduce((sum, line) => sum + line.price * line.quantity, 0);
    const orderId = crypto.randomUUID();
    const analytics = await getAnalytics();
    analytics.track({
      event: 'Order Completed',
      properties: { order_id: orderId, total, currency: 'USD', products: lines },
    });
    return Response.json({ orderId, total });
  },
  { resolveUser: (request) => demoUser(request.headers.get('cookie')) },
);
