import { randomUUID } from 'node:crypto';

/** What a journey did, for a demo to print or check. */
export interface JourneyResult {
  anonymousId: string;
  userId: string;
  orderId: string;
}

/**
 * Drives the example shop over HTTP the way a visitor would: browse anonymously (with analytics.js's
 * `ajs_anonymous_id` cookie), sign up, add to cart, check out, log in again, and hit one broken
 * endpoint.
 * @example await runExpressJourney('http://127.0.0.1:3000');
 */
export async function runExpressJourney(baseUrl: string): Promise<JourneyResult> {
  const anonymousId = randomUUID();
  const cookie = `ajs_anonymous_id=${encodeURIComponent(JSON.stringify(anonymousId))}`;
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<T> => {
    const headers: Record<string, string> = {
      cookie,
      'user-agent': 'tributary-journey/1.0',
      'accept-language': 'en-US',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok && !(path.endsWith('/receipt') && response.status === 500)) {
      throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    }
    return (await response.json()) as T;
  };

  await call('GET', '/products');
  await call('GET', '/products/p2');
  const email = `shopper-${anonymousId.slice(0, 8)}@example.com`;
  const { userId } = await call<{ userId: string; token: string }>('POST', '/signup', {
    email,
    name: 'Shopper',
  });
  const { token } = await call<{ token: string }>('POST', '/login', { email });
  await call('POST', '/cart/items', { productId: 'p2', quantity: 1 }, token);
  await call('POST', '/cart/items', { productId: 'p1', quantity: 2 }, token);
  const { orderId } = await call<{ orderId: string }>('POST', '/checkout', undefined, token);
  await call('GET', `/orders/${orderId}/receipt`, undefined, token);
  return { anonymousId, userId, orderId };
}
