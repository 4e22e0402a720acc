import { startCollector, type RunningCollector } from '@tributary/collector';
import { afterAll, beforeAll, expect } from 'vitest';
import { startShop, type Shop } from '../express/helpers.js';

export { startCollector, type RunningCollector, type StoredEvent } from '@tributary/collector';

/**
 * A collector and a fixture app (any script that prints "listening on <url>") for the whole suite:
 * started before its tests, stopped after them. Read the fields inside tests.
 */
export function useAppAndCollector(script: string): { collector: RunningCollector; app: Shop } {
  const running = {} as { collector: RunningCollector; app: Shop };
  beforeAll(async () => {
    running.collector = await startCollector({ port: 0, memory: true, quiet: true });
    running.app = await startShop(running.collector.url, {}, script);
  });
  afterAll(async () => {
    await running.app?.stop();
    await running.collector?.close();
  });
  return running;
}

/**
 * Asserts that no secret reached the collector (its stored text and its rows) or the app's logs,
 * once the log line matching `delivered` (which follows delivery) is out.
 */
export async function expectNoSecretsAnywhere(
  collector: RunningCollector,
  output: () => string,
  delivered: RegExp,
): Promise<void> {
  expectNoSecrets(await storedText(collector.url), 'what the collector stored');
  expectNoSecrets(JSON.stringify(collector.events()), 'the collector’s rows');
  await waitForOutput(output, delivered);
  expectNoSecrets(output(), 'the app’s logs');
}

/** What the request carries that must never leave the app as is. */
export const SECRETS = {
  token: 'tok-7c1e9a2f',
  code: 'code-55d0b3e1',
  ip: '203.0.113.77',
} as const;

export const ANONYMOUS_ID = 'privacy-visitor-1';

/** A request through one trusted proxy, with a secret in its query and in its referrer's. */
export function privacyRequest(path: string): { path: string; headers: Record<string, string> } {
  return {
    path: `${path}?token=${SECRETS.token}&utm_source=x`,
    headers: {
      'x-forwarded-for': SECRETS.ip,
      referer: `https://idp.example/callback?code=${SECRETS.code}&state=ok`,
      cookie: `ajs_anonymous_id=${encodeURIComponent(JSON.stringify(ANONYMOUS_ID))}`,
      'user-agent': 'privacy-e2e/1.0',
    },
  };
}

/** The request facts as stored for a message sent while handling {@link privacyRequest}. */
export function expectScrubbedContext(stored: unknown, path: string): void {
  const context = stored as { ip?: string; page: Record<string, string> };
  expect(context.ip).toBe('203.0.113.0');
  expect(context.page.path).toBe(path);
  expect(context.page.search).toBe('?token=[REDACTED]&utm_source=x');
  expect(context.page.url).toMatch(
    new RegExp(`^http://127\\.0\\.0\\.1:\\d+${path}\\?token=\\[REDACTED\\]&utm_source=x$`),
  );
  expect(context.page.referrer).toBe('https://idp.example/callback?code=[REDACTED]&state=ok');
}

/** Everything the collector holds, read through its HTTP API as any tool would. */
export async function storedText(collectorUrl: string): Promise<string> {
  const [events, rejections] = await Promise.all(
    ['/api/events?limit=1000', '/api/rejections'].map(async (path) => {
      const response = await fetch(`${collectorUrl}${path}`);
      expect(response.status).toBe(200);
      return response.text();
    }),
  );
  return `${events}\n${rejections}`;
}

/** Waits (bounded) until the app's output matches `pattern`: log lines trail the delivery itself. */
export async function waitForOutput(output: () => string, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!pattern.test(output())) {
    if (Date.now() > deadline) throw new Error(`no line matching ${pattern} in:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Asserts that none of the secret values appear in `text`, naming the first that does. */
export function expectNoSecrets(text: string, where: string): void {
  for (const [name, value] of Object.entries(SECRETS)) {
    expect(text.includes(value), `the ${name} "${value}" appears in ${where}`).toBe(false);
  }
}
