import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anonymousCookie,
  graphql,
  startCollector,
  startGraphqlApi,
  type Platform,
  type RunningCollector,
} from './helpers.js';

let collector: RunningCollector;

beforeAll(async () => {
  collector = await startCollector({ port: 0, memory: true });
});

afterAll(async () => {
  await collector?.close();
});

describe.each(['express', 'fastify'] as const)(
  'GraphQL on %s under SIGTERM',
  (platform: Platform) => {
    it('delivers the event of every answered operation when SIGTERM arrives with queries in flight, then exits 0', async () => {
      const api = await startGraphqlApi(platform, collector.url, {
        TRIBUTARY_SHUTDOWN_TIMEOUT: '15000',
      });
      const answered: string[] = [];
      let stopped = false;
      // Each request is a batch of two slow operations, so one HTTP request answers two events.
      const worker = async (w: number): Promise<void> => {
        for (let i = 0; i < 300 && !stopped; i++) {
          const tags = [`${platform}-${w}-${i}-a`, `${platform}-${w}-${i}-b`];
          try {
            const reply = await graphql(
              api.url,
              tags.map((tag) => ({
                query: 'query Slow($tag: String!) { slow(ms: 20, tag: $tag) }',
                variables: { tag },
              })),
              { cookie: anonymousCookie(`sigterm-${tags[0]!}`) },
            );
            if (reply.status !== 200 || !Array.isArray(reply.json)) continue;
            (reply.json as { data?: { slow?: number } }[]).forEach((result, k) => {
              if (result.data?.slow === 20) answered.push(tags[k]!);
            });
          } catch {
            return; // The server stopped accepting connections.
          }
        }
      };
      const workers = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
      const deadline = Date.now() + 10_000;
      while (answered.length < 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(answered.length).toBeGreaterThanOrEqual(200);
      const exit = await api.stop(20_000);
      stopped = true;
      await workers;
      expect(exit, api.output()).toEqual({ code: 0, signal: null });
      const received = new Set(
        collector
          .events({ event: 'Slow Answered' })
          .map((e) => (e.message.properties as { tag?: string }).tag)
          .filter((tag) => tag?.startsWith(`${platform}-`)),
      );
      expect(answered.filter((tag) => !received.has(tag))).toEqual([]);
    });
  },
);
