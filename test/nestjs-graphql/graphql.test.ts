import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anonymousCookie,
  graphql,
  startCollector,
  startGraphqlApi,
  tcpMessage,
  type GraphqlApi,
  type RunningCollector,
  type StoredEvent,
} from './helpers.js';

let collector: RunningCollector;

beforeAll(async () => {
  collector = await startCollector({ port: 0, memory: true });
});

afterAll(async () => {
  await collector?.close();
});

const PRODUCT_PAGE = `query ProductPage($id: ID!) { product(id: $id) { id name price reviews { stars } } }`;
const ADD_TO_CART = `mutation AddToCart($id: ID!, $quantity: Int!) { addToCart(productId: $id, quantity: $quantity) { productId quantity } }`;

function browser(anonymousId: string): Record<string, string> {
  return {
    cookie: anonymousCookie(anonymousId),
    'user-agent': 'Mozilla/5.0 (graphql-e2e)',
    'accept-language': 'fr-CH, fr;q=0.9',
  };
}

function byEvent(events: StoredEvent[], event: string): StoredEvent {
  const found = events.find((e) => e.event === event);
  if (found === undefined) {
    throw new Error(`no ${event} among: ${events.map((e) => e.event).join(', ')}`);
  }
  return found;
}

function contextOf(event: StoredEvent): Record<string, any> {
  return event.message.context as Record<string, any>;
}

describe.each([
  ['express', 'Apollo'],
  ['fastify', 'Mercurius'],
] as const)('GraphQL on %s (%s) and a Socket.IO gateway', (platform, _server) => {
  let api: GraphqlApi;

  beforeAll(async () => {
    api = await startGraphqlApi(platform, collector.url, { TRIBUTARY_FLUSH_AT: '1' });
  });

  afterAll(async () => {
    await api?.stop();
  });

  it('gives a query, its field resolver and the service it calls the request context, anonymous id and one request id', async () => {
    const anonymousId = `gql-query-${platform}`;
    const reply = await graphql(
      api.url,
      { query: PRODUCT_PAGE, operationName: 'ProductPage', variables: { id: 'p-200' } },
      browser(anonymousId),
    );
    expect(reply.json).toEqual({
      data: { product: { id: 'p-200', name: 'Rain Jacket', price: 129, reviews: [{ stars: 5 }] } },
    });
    const events = await collector.waitForEvents(2, { anonymousId, timeout: 10_000 });
    const viewed = byEvent(events, 'Product Viewed');
    const reviews = byEvent(events, 'Reviews Loaded');
    expect(viewed.message.properties).toEqual({
      productId: 'p-200',
      price: 129,
      operation: 'ProductPage',
      field: 'product',
    });
    expect(reviews.message.properties).toEqual({ productId: 'p-200' });
    for (const event of [viewed, reviews]) {
      expect(event.userId).toBeUndefined();
      expect(contextOf(event)).toMatchObject({
        ip: '127.0.0.1',
        userAgent: 'Mozilla/5.0 (graphql-e2e)',
        locale: 'fr-CH',
        page: { path: '/graphql' },
      });
      expect(contextOf(event).requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(contextOf(reviews).requestId).toBe(contextOf(viewed).requestId);
  });

  it("identifies a mutation's caller from the user a GraphQL guard put on req.user", async () => {
    const anonymousId = `gql-mutation-${platform}`;
    const reply = await graphql(
      api.url,
      { query: ADD_TO_CART, variables: { id: 'p-100', quantity: 2 } },
      { ...browser(anonymousId), authorization: 'Bearer user-42' },
    );
    expect(reply.json).toEqual({ data: { addToCart: { productId: 'p-100', quantity: 2 } } });
    const [added] = await collector.waitForEvents(1, {
      anonymousId,
      event: 'Product Added',
      timeout: 10_000,
    });
    expect(added).toMatchObject({
      userId: 'user-42',
      anonymousId,
      message: { properties: { productId: 'p-100', quantity: 2, by: 'user-42' } },
    });
    expect(contextOf(added!)).toMatchObject({ userAgent: 'Mozilla/5.0 (graphql-e2e)' });
  });

  it('refuses a mutation without a token and tracks nothing for it', async () => {
    const anonymousId = `gql-refused-${platform}`;
    const reply = await graphql(
      api.url,
      { query: ADD_TO_CART, variables: { id: 'p-100', quantity: 1 } },
      browser(anonymousId),
    );
    expect(JSON.stringify(reply.json.errors)).toContain('sign in first');
    // A marker query on the same visitor proves the pipeline delivered everything before it.
    await graphql(api.url, { query: `{ product(id: "p-100") { id } }` }, browser(anonymousId));
    const events = await collector.waitForEvents(1, { anonymousId, timeout: 10_000 });
    expect(events.map((e) => e.event)).toEqual(['Product Viewed']);
  });

  it("tracks the error a resolver threw, with the operation's name, and not its success event", async () => {
    const anonymousId = `gql-error-${platform}`;
    const reply = await graphql(
      api.url,
      { query: 'mutation PayNow { checkout }', operationName: 'PayNow' },
      browser(anonymousId),
    );
    // The adapter's exception filter hands the error back to Nest: a GraphQL answer with `errors`.
    expect(JSON.stringify(reply.json.errors)).toContain('card declined');
    await graphql(api.url, { query: `{ product(id: "p-100") { id } }` }, browser(anonymousId));
    const events = await collector.waitForEvents(3, { anonymousId, timeout: 10_000 });
    expect(events.map((e) => e.event).sort()).toEqual([
      'Checkout Failed',
      'Product Viewed',
      'Server Error',
    ]);
    expect(byEvent(events, 'Checkout Failed')).toMatchObject({
      message: { properties: { reason: 'card declined', operation: 'PayNow' } },
    });
    // trackErrors (on by default) records the resolver's error as for any HTTP handler.
    const error = byEvent(events, 'Server Error');
    expect(error.message.properties).toEqual({
      name: 'Error',
      message: 'card declined',
      status: 500,
      method: 'POST',
      route: '/graphql',
      operation: 'PayNow',
      field: 'Mutation.checkout',
    });
    expect(contextOf(error)).toMatchObject({
      userAgent: 'Mozilla/5.0 (graphql-e2e)',
      page: { path: '/graphql' },
      requestId: contextOf(byEvent(events, 'Checkout Failed')).requestId,
    });
  });

  it('gives every operation of a batched request the same request id, and another request another', async () => {
    const anonymousId = `gql-batch-${platform}`;
    const reply = await graphql(
      api.url,
      [
        { query: `query A { product(id: "p-100") { id } }`, operationName: 'A' },
        { query: `query B { product(id: "p-200") { id } }`, operationName: 'B' },
      ],
      browser(anonymousId),
    );
    expect(reply.json).toEqual([
      { data: { product: { id: 'p-100' } } },
      { data: { product: { id: 'p-200' } } },
    ]);
    await graphql(
      api.url,
      { query: `query C { product(id: "p-100") { id } }` },
      browser(anonymousId),
    );
    const events = await collector.waitForEvents(3, { anonymousId, timeout: 10_000 });
    const operation = (e: StoredEvent): unknown =>
      (e.message.properties as Record<string, unknown>).operation;
    const [a, b, c] = ['A', 'B', 'C'].map((name) => events.find((e) => operation(e) === name)!);
    expect(contextOf(a!).requestId).toBe(contextOf(b!).requestId);
    expect(contextOf(c!).requestId).not.toBe(contextOf(a!).requestId);
  });

  it('gives gateway messages the handshake context, the socket user and a request id each', async () => {
    const anonymousId = `ws-${platform}`;
    const socket: Socket = io(api.url, {
      transports: ['websocket'],
      extraHeaders: browser(anonymousId),
      auth: { token: 'user-7' },
      reconnection: false,
      timeout: 10_000,
    });
    try {
      const first = (await socket
        .timeout(10_000)
        .emitWithAck('watch', { productId: 'p-100' })) as unknown;
      const second = (await socket
        .timeout(10_000)
        .emitWithAck('watch', { productId: 'p-200' })) as unknown;
      expect([first, second]).toEqual([{ watching: 'p-100' }, { watching: 'p-200' }]);
    } finally {
      socket.close();
    }
    const events = await collector.waitForEvents(4, { anonymousId, timeout: 10_000 });
    // Batches may arrive in any order: compare sorted.
    const key = (e: StoredEvent): string =>
      `${e.event} ${(e.message.properties as { productId: string }).productId}`;
    expect(events.map((e) => [key(e), e.userId]).sort()).toEqual([
      ['Product Watched p-100', 'user-7'],
      ['Product Watched p-200', 'user-7'],
      ['Watch Started p-100', 'user-7'],
      ['Watch Started p-200', 'user-7'],
    ]);
    for (const event of events) {
      expect(contextOf(event)).toMatchObject({
        userAgent: 'Mozilla/5.0 (graphql-e2e)',
        locale: 'fr-CH',
      });
      expect(contextOf(event).ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
      expect(contextOf(event).page).toBeUndefined();
    }
    const requestId = (name: string): unknown =>
      contextOf(events.find((e) => key(e) === name)!).requestId;
    expect(requestId('Watch Started p-100')).toBe(requestId('Product Watched p-100'));
    expect(requestId('Watch Started p-200')).toBe(requestId('Product Watched p-200'));
    expect(requestId('Watch Started p-100')).not.toBe(requestId('Watch Started p-200'));
  });

  it('identifies microservice messages from their data through resolveUser and resolveAnonymousId', async () => {
    const anonymousId = `rpc-${platform}`;
    const answer = await tcpMessage(api.tcpPort, {
      pattern: 'order.ship',
      data: { orderId: 'o-1', userId: 'user-9', anonymousId },
      id: 'req-1',
    });
    expect(answer).toEqual({ shipped: 'o-1' });
    await tcpMessage(api.tcpPort, {
      pattern: 'order.delivered',
      data: { orderId: 'o-1', anonymousId },
    });
    const events = await collector.waitForEvents(3, { anonymousId, timeout: 10_000 });
    expect(events.map((e) => [e.event, e.userId, e.message.properties]).sort()).toEqual([
      ['Order Delivered', undefined, { orderId: 'o-1' }],
      ['Order Shipped', 'user-9', { orderId: 'o-1' }],
      ['Shipping Label Printed', 'user-9', { orderId: 'o-1' }],
    ]);
    const requestId = (event: string): unknown =>
      contextOf(events.find((e) => e.event === event)!).requestId;
    expect(requestId('Order Shipped')).toBe(requestId('Shipping Label Printed'));
    expect(requestId('Order Delivered')).not.toBe(requestId('Order Shipped'));
    for (const event of events) {
      expect(Object.keys(contextOf(event)).sort()).toEqual(['library', 'requestId']);
    }
  });
});
