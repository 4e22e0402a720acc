// Every example of analytics-python's documentation, translated literally, asserted against the
// exact JSON that reaches a real HTTP server on 127.0.0.1.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import analytics, { Analytics, VERSION, regions } from '../src/index.js';
import { startIngestServer, type IngestServer } from './helpers/ingest-server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const library = { name: '@tributary/core', version: VERSION };

let server: IngestServer;
let client: Analytics;

beforeAll(async () => {
  server = await startIngestServer();
});
afterAll(async () => {
  await analytics.close();
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  client = new Analytics({ writeKey: 'YOUR_WRITE_KEY', host: server.url });
});

async function sent(): Promise<Record<string, unknown>[]> {
  await client.flush();
  return server.messages().map((m) => {
    expect(m.messageId).toMatch(UUID);
    expect(m.timestamp).toMatch(ISO_MS);
    const { messageId: _id, timestamp: _ts, ...rest } = m;
    return rest;
  });
}

describe('the Python documentation, translated', () => {
  it('identify(userId, traits)', async () => {
    client.identify('019mr8mf4r', { email: 'john@example.com', name: 'John Smith', friends: 30 });
    expect(await sent()).toEqual([
      {
        type: 'identify',
        userId: '019mr8mf4r',
        traits: { email: 'john@example.com', name: 'John Smith', friends: 30 },
        context: { library },
      },
    ]);
  });

  it('track(userId, event, properties) for both documented events', async () => {
    client.track('f4ca124298', 'Signed Up', { plan: 'Enterprise' });
    client.track('f4ca124298', 'Article Bookmarked', {
      title: 'Snow Fall',
      subtitle: 'The Avalance at Tunnel Creek',
      author: 'John Branch',
    });
    expect(await sent()).toEqual([
      {
        type: 'track',
        userId: 'f4ca124298',
        event: 'Signed Up',
        properties: { plan: 'Enterprise' },
        context: { library },
      },
      {
        type: 'track',
        userId: 'f4ca124298',
        event: 'Article Bookmarked',
        properties: {
          title: 'Snow Fall',
          subtitle: 'The Avalance at Tunnel Creek',
          author: 'John Branch',
        },
        context: { library },
      },
    ]);
  });

  it('page(userId, category, name, properties)', async () => {
    client.page('user_id', 'Docs', 'Python', { url: 'http://segment.com' });
    expect(await sent()).toEqual([
      {
        type: 'page',
        userId: 'user_id',
        category: 'Docs',
        name: 'Python',
        properties: { url: 'http://segment.com' },
        context: { library },
      },
    ]);
  });

  it('screen(userId, category, name, properties)', async () => {
    client.screen('user_id', 'Settings', 'Brightness', { from: 'Home Screen' });
    expect(await sent()).toEqual([
      {
        type: 'screen',
        userId: 'user_id',
        category: 'Settings',
        name: 'Brightness',
        properties: { from: 'Home Screen' },
        context: { library },
      },
    ]);
  });

  it('group(userId, groupId, traits)', async () => {
    client.group('user_id', 'group_id', { name: 'Initech', domain: 'Accounting Software' });
    expect(await sent()).toEqual([
      {
        type: 'group',
        userId: 'user_id',
        groupId: 'group_id',
        traits: { name: 'Initech', domain: 'Accounting Software' },
        context: { library },
      },
    ]);
  });

  it('the full alias example: anonymous event, alias, identify, identified action', async () => {
    client.track('92734232-2342423423-973945', 'Anonymous Event');
    client.alias('92734232-2342423423-973945', '1234');
    client.identify('1234', { plan: 'Free' });
    client.track('1234', 'Identified Action');
    expect(await sent()).toEqual([
      {
        type: 'track',
        userId: '92734232-2342423423-973945',
        event: 'Anonymous Event',
        properties: {},
        context: { library },
      },
      {
        type: 'alias',
        previousId: '92734232-2342423423-973945',
        userId: '1234',
        context: { library },
      },
      { type: 'identify', userId: '1234', traits: { plan: 'Free' }, context: { library } },
      {
        type: 'track',
        userId: '1234',
        event: 'Identified Action',
        properties: {},
        context: { library },
      },
    ]);
  });

  it('historical import: track with timestamp= sends that time', async () => {
    const timestamp = new Date(Date.UTC(2538, 9, 17, 0, 0, 0, 0));
    client.track('019mr8mf4r', 'Bought a game', { game: 'Duke Nukem forever' }, { timestamp });
    await client.flush();
    expect(server.messages()[0]).toMatchObject({
      timestamp: '2538-10-17T00:00:00.000Z',
      event: 'Bought a game',
    });
  });

  it('server logs example: an ISO timestamp with its zone is kept, and flush() delivers', async () => {
    analytics.writeKey = 'YOUR_WRITE_KEY';
    analytics.host = server.url;
    const log = ['2012-10-17T18:58:57.911Z 019mr8mf4r /purchased/tshirt'];
    for (const entry of log) {
      const [timestamp, userId] = entry.split(' ') as [string, string];
      analytics.track(userId, 'Shirt Bought', { color: 'Blue', revenue: 17.9 }, { timestamp });
    }
    await analytics.flush();
    expect(server.messages()).toMatchObject([
      {
        type: 'track',
        userId: '019mr8mf4r',
        event: 'Shirt Bought',
        properties: { color: 'Blue', revenue: 17.9 },
        timestamp: '2012-10-17T18:58:57.911Z',
      },
    ]);
  });

  it('selecting destinations: integrations= is passed through', async () => {
    client.track('9742', 'Song Played', undefined, {
      integrations: { all: false, Kissmetrics: true, 'Google Analytics': false },
    });
    expect((await sent())[0]).toMatchObject({
      integrations: { all: false, Kissmetrics: true, 'Google Analytics': false },
    });
  });

  it('override context value: context= ip and userAgent are sent, library added', async () => {
    const userAgent =
      'Mozilla/5.0 (Linux; U; Android 4.1.1; en-gb; Build/KLP) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Safari/534.30';
    client.track('9742', 'Song Played', undefined, {
      context: { ip: 1234 as unknown as string, userAgent },
    });
    expect((await sent())[0]).toMatchObject({ context: { ip: 1234, userAgent, library } });
  });

  it('module-wide configuration: write key, debug, onError and send=False', async () => {
    const errors: unknown[] = [];
    analytics.writeKey = 'YOUR_WRITE_KEY';
    analytics.debug = true;
    analytics.logger = { debug() {}, info() {}, warn() {}, error() {} };
    analytics.onError = (error) => errors.push(error);
    analytics.send = false;
    expect(analytics.track('user', 'Not Sent')).toBe(true);
    expect(analytics.track({ event: 'No identity' } as never)).toBe(false);
    await analytics.flush();
    expect(server.requests).toHaveLength(0);
    expect(errors).toHaveLength(1);
    analytics.send = true;
    analytics.debug = false;
  });

  it('regional hosts: Dublin is events.eu1.segmentapis.com', () => {
    expect(regions.dublin).toBe('https://events.eu1.segmentapis.com');
    expect(regions.oregon).toBe('https://api.segment.io');
  });

  it('sync mode: each call is sent on its own, flush() awaits them', async () => {
    const sync = new Analytics({ writeKey: 'YOUR_WRITE_KEY', host: server.url, syncMode: true });
    sync.track('9742', 'One');
    sync.track('9742', 'Two');
    await sync.flush();
    expect(server.requests).toHaveLength(2);
    expect(server.requests.map((r) => r.body.batch.length)).toEqual([1, 1]);
    await sync.close();
  });

  it('gzip: Client(gzip=True) compresses the body', async () => {
    const gz = new Analytics({ writeKey: 'YOUR_WRITE_KEY', host: server.url, gzip: true });
    gz.track('9742', 'Compressed');
    await gz.flush();
    expect(server.requests[0]!.headers['content-encoding']).toBe('gzip');
    expect(server.requests[0]!.raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(server.requests[0]!.body.batch[0]).toMatchObject({ event: 'Compressed' });
    await gz.close();
  });
});

describe('the batch envelope and headers', () => {
  it('sends {batch, writeKey, sentAt} with Basic auth, JSON content type and the user agent', async () => {
    client.track('u', 'E');
    await client.flush();
    const [request] = server.requests;
    expect(request!.url).toBe('/v1/batch');
    expect(Object.keys(request!.body)).toEqual(['batch', 'writeKey', 'sentAt']);
    expect(request!.body.writeKey).toBe('YOUR_WRITE_KEY');
    expect(request!.body.sentAt).toMatch(ISO_MS);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers.authorization).toBe(
      `Basic ${Buffer.from('YOUR_WRITE_KEY:').toString('base64')}`,
    );
    expect(request!.headers['user-agent']).toBe(`tributary-node/${VERSION}`);
    expect(request!.headers['x-retry-count']).toBeUndefined();
  });

  it('keeps a path prefix in host', async () => {
    const proxied = new Analytics({ writeKey: 'k', host: `${server.url}/segment/` });
    proxied.track('u', 'E');
    await proxied.flush();
    expect(server.requests[0]!.url).toBe('/segment/v1/batch');
    await proxied.close();
  });
});
