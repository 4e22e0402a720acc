import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  anonymousCookie,
  send,
  startCollector,
  startShop,
  type RunningCollector,
  type Shop,
} from './helpers.js';

let collector: RunningCollector;
let shop: Shop | undefined;

beforeAll(async () => {
  collector = await startCollector({ port: 0, memory: true });
});

afterAll(async () => {
  await shop?.stop();
  await collector?.close();
});

it('on SIGTERM during load, delivers every event accepted before the signal, finishes in-flight requests and exits 0', async () => {
  shop = await startShop(collector.url);
  const running = shop;
  const cookie = anonymousCookie(randomUUID());
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const answered: string[] = [];
  let signalled = false;

  // A slow request in flight when the signal arrives: it must still be answered and recorded.
  const slow = send(`${running.url}/products/p3?delay=1500`, {
    headers: { cookie, 'x-request-id': 'slow' },
  }).then((reply) => ({
    reply,
    afterSignal: signalled,
  }));

  const worker = async (w: number): Promise<void> => {
    for (let n = 0; n < 200; n++) {
      const id = `load-${w}-${n}`;
      try {
        const reply = await send(`${running.url}/products/p1?delay=5`, {
          headers: { cookie, 'x-request-id': id },
          agent,
        });
        if (reply.status === 200) answered.push(id);
      } catch {
        return; // refused or reset: the server has stopped accepting
      }
      if (!signalled && answered.length >= 40) {
        signalled = true;
        running.child.kill('SIGTERM');
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, (_, w) => worker(w)));
  agent.destroy();
  expect(signalled).toBe(true);

  const { reply, afterSignal } = await slow;
  expect(reply.status).toBe(200);
  expect(afterSignal).toBe(true);
  answered.push('slow');

  expect(await running.exited).toEqual({ code: 0, signal: null });

  // Both the route's event and the automatic request event of every answered request arrived.
  const requestIds = (event: string) =>
    new Set(
      collector
        .events({ event })
        .map((e) => (e.message.context as { requestId?: string }).requestId),
    );
  const viewed = requestIds('Product Viewed');
  const requests = requestIds('API Request');
  expect(answered.filter((id) => !viewed.has(id))).toEqual([]);
  expect(answered.filter((id) => !requests.has(id))).toEqual([]);
  expect(collector.stats().duplicates).toBe(0);
});
