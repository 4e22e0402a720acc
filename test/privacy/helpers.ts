import { expect } from 'vitest';

export { startCollector, type RunningCollector, type StoredEvent } from '@tributary/collector';

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
