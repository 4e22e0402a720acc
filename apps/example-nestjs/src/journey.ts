import { randomUUID } from 'node:crypto';

/** What {@link runNestJourney} did, to check against what the collector received. */
export interface NestJourney {
  anonymousId: string;
  userId: string;
  email: string;
  orderId: string;
  total: number;
  /** HTTP requests made, in order, with their status. */
  requests: { method: string; path: string; status: number }[];
}

/**
 * Drives the example shop over HTTP like a browser would (with analytics.js's `ajs_anonymous_id`
 * cookie): browse, view a product, sign up, log in, add to the cart, check out.
 * Throws if a step does not answer as expected.
 *
 * @example
 * const journey = await runNestJourney('http://127.0.0.1:3000');
 * console.log(journey.orderId);
 */
export async function runNestJourney(baseUrl: string): Promise<NestJourney> {
  const anonymousId = randomUUID();
  const email = `shopper-${anonymousId.slice(0, 8)}@example.com`;
  const requests: NestJourney['requests'] = [];
  const session: { token?: string } = {};

  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    expected = [200, 201],
  ): Promise<T> => {
    const headers: Record<string, string> = {
      cookie: `ajs_anonymous_id=${encodeURIComponent(JSON.stringify(anonymousId))}`,
      'user-agent': 'tributary-nest-journey/1.0',
      'accept-language': 'en-GB,en;q=0.8',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (session.token !== undefined) headers.authorization = `Bearer ${session.token}`;
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    requests.push({ method, path, status: response.status });
    if (!expected.includes(response.status)) {
      throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    }
    return (await response.json()) as T;
  };

  await call('GET', '/products?q=jacket');
  await call('GET', '/products/p-200');
  const signUp = await call<{ userId: string; token: string }>('POST', '/signup', {
    email,
    password: 'hunter2',
    plan: 'pro',
  });
  await call('POST', '/login', { email, password: 'wrong' }, [401]);
  session.token = (
    await call<{ token: string }>('POST', '/login', { email, password: 'hunter2' })
  ).token;
  await call('POST', '/cart/items', { productId: 'p-200', quantity: 1 });
  await call('POST', '/cart/items', { productId: 'p-300', quantity: 2 });
  await call('GET', '/cart');
  const order = await call<{ orderId: string; total: number }>('POST', '/checkout');
  return {
    anonymousId,
    userId: signUp.userId,
    email,
    orderId: order.orderId,
    total: order.total,
    requests,
  };
}
