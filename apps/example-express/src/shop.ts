import { randomUUID } from 'node:crypto';
import type { Analytics } from '@tributary/core';
import {
  analyticsErrorHandler,
  analyticsMiddleware,
  type AnalyticsMiddleware,
  type AnalyticsMiddlewareOptions,
} from '@tributary/express';
import express, {
  type ErrorRequestHandler,
  type Express,
  type NextFunction,
  type Request,
  type Response,
} from 'express';

/** Options of {@link createShop}. */
export interface ShopOptions {
  /** An existing client or client options, plus any adapter option; request events are set by the shop. */
  analytics: AnalyticsMiddlewareOptions;
  /** Express's `trust proxy` setting. Defaults to `false`. */
  trustProxy?: boolean | number | string;
}

interface Product {
  id: string;
  name: string;
  price: number;
}

interface User {
  id: string;
  email: string;
  name: string;
}

const PRODUCTS: Product[] = [
  { id: 'p1', name: 'Espresso Cup', price: 12 },
  { id: 'p2', name: 'Pour-Over Kettle', price: 48 },
  { id: 'p3', name: 'Burr Grinder', price: 129 },
];

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A small shop API (sign up, log in, browse, add to cart, check out) instrumented with Tributary:
 * context, identity and request events from `@tributary/express`, product events from the routes.
 */
export function createShop(options: ShopOptions): { app: Express; analytics: AnalyticsMiddleware } {
  const users = new Map<string, User>();
  const sessions = new Map<string, string>();
  const carts = new Map<string, { product: Product; quantity: number }[]>();

  const app = express();
  app.set('trust proxy', options.trustProxy ?? false);
  const analytics = analyticsMiddleware<Analytics>({
    ...options.analytics,
    trackRequests: { event: 'API Request', exclude: ['/health'] },
  });
  app.use(analytics);
  app.use(express.json());
  // Auth is mounted after analytics on purpose: the user is resolved when each event is made.
  app.use((req, _res, next) => {
    const token = req.get('authorization')?.replace(/^Bearer\s+/i, '');
    const user = token === undefined ? undefined : users.get(sessions.get(token) ?? '');
    if (user !== undefined) (req as Request & { user?: User }).user = user;
    next();
  });

  const currentUser = (req: Request): User => {
    const user = (req as Request & { user?: User }).user;
    if (user === undefined) throw new HttpError(401, 'log in first');
    return user;
  };
  const session = (user: User): string => {
    const token = randomUUID();
    sessions.set(token, user.id);
    return token;
  };

  app.get('/health', (_req, res) => void res.json({ ok: true }));

  app.post('/signup', (req: Request, res: Response) => {
    const { email, name } = (req.body ?? {}) as { email?: string; name?: string };
    if (typeof email !== 'string' || !email.includes('@'))
      throw new HttpError(400, 'a valid email is required');
    if ([...users.values()].some((u) => u.email === email))
      throw new HttpError(409, 'already signed up');
    const user: User = { id: `user_${users.size + 1}`, email, name: name ?? email.split('@')[0]! };
    users.set(user.id, user);
    // The visitor's anonymous history (browser cookie) joins the new user.
    if (req.analytics.scope.anonymousId !== undefined) req.analytics.alias({ userId: user.id });
    req.analytics.identify({ userId: user.id, traits: { email, name: user.name } });
    req.analytics.track({ userId: user.id, event: 'Signed Up', properties: { method: 'email' } });
    res.status(201).json({ userId: user.id, token: session(user) });
  });

  app.post('/login', (req: Request, res: Response) => {
    const { email } = (req.body ?? {}) as { email?: string };
    const user = [...users.values()].find((u) => u.email === email);
    if (user === undefined) throw new HttpError(401, 'unknown email');
    req.analytics.track({ userId: user.id, event: 'Logged In' });
    res.json({ userId: user.id, token: session(user) });
  });

  app.get('/products', (req, res) => {
    req.analytics.track({
      event: 'Product List Viewed',
      properties: { products: PRODUCTS.map((p) => p.id) },
    });
    res.json(PRODUCTS);
  });

  app.get('/products/:id', async (req: Request<{ id: string }>, res: Response) => {
    const product = PRODUCTS.find((p) => p.id === req.params.id);
    if (product === undefined) throw new HttpError(404, 'no such product');
    // Simulated backend latency, to show requests in flight during a shutdown.
    const delay = Math.min(Number(req.query.delay) || 0, 5000);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    req.analytics.track({
      event: 'Product Viewed',
      properties: { product_id: product.id, name: product.name, price: product.price },
    });
    res.json(product);
  });

  app.post('/cart/items', (req: Request, res: Response) => {
    const user = currentUser(req);
    const { productId, quantity = 1 } = (req.body ?? {}) as {
      productId?: string;
      quantity?: number;
    };
    const product = PRODUCTS.find((p) => p.id === productId);
    if (product === undefined) throw new HttpError(404, 'no such product');
    const cart = carts.get(user.id) ?? [];
    cart.push({ product, quantity });
    carts.set(user.id, cart);
    // No userId here: the request's user fills it.
    req.analytics.track({
      event: 'Product Added',
      properties: { product_id: product.id, price: product.price, quantity },
    });
    res.status(201).json({ items: cart.length });
  });

  app.post('/checkout', (req: Request, res: Response) => {
    const user = currentUser(req);
    const cart = carts.get(user.id) ?? [];
    if (cart.length === 0) throw new HttpError(400, 'the cart is empty');
    const total = cart.reduce((sum, item) => sum + item.product.price * item.quantity, 0);
    const orderId = `order_${randomUUID().slice(0, 8)}`;
    carts.delete(user.id);
    req.analytics.track({
      event: 'Order Completed',
      properties: {
        order_id: orderId,
        total,
        currency: 'USD',
        products: cart.map((item) => ({
          product_id: item.product.id,
          price: item.product.price,
          quantity: item.quantity,
        })),
      },
    });
    res.status(201).json({ orderId, total });
  });

  // A broken endpoint, to show analyticsErrorHandler.
  app.get('/orders/:id/receipt', () => {
    throw new Error('receipt service unavailable');
  });

  app.use(analyticsErrorHandler());
  const errors: ErrorRequestHandler = (
    error: unknown,
    _req: Request,
    res: Response,
    _next: NextFunction,
  ) => {
    const status = error instanceof HttpError ? error.status : 500;
    res
      .status(status)
      .json({ error: error instanceof HttpError ? error.message : 'internal error' });
  };
  app.use(errors);
  return { app, analytics };
}
