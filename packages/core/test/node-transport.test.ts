import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUnansweredEndpoint, type UnansweredEndpoint } from './helpers/unanswered-endpoint.js';

// The built package, as users load it (`test` depends on `build`).
const entry = fileURLToPath(new URL('../dist/index.mjs', import.meta.url));
let endpoint: UnansweredEndpoint;

beforeAll(async () => {
  endpoint = await startUnansweredEndpoint();
});
afterAll(() => endpoint.close());

/**
 * This environment without the proxy variables: a NO_PROXY that lists 127.0.0.1 (common on CI
 * machines) would otherwise send the proxy case straight to the endpoint.
 */
function withoutProxyVariables(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (/^(https?|no|all)_proxy$/i.test(name)) delete env[name];
  return env;
}

/** Runs `script` in a fresh Node process (so its handles are its own) and returns its stdout. */
async function runChild(script: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', script],
    {
      encoding: 'utf8',
      timeout: 8_000,
      env: { ...withoutProxyVariables(), ENDPOINT: endpoint.url },
    },
  );
  return stdout;
}

describe('the Node transport', () => {
  it.each([
    ['the endpoint', 'host: process.env.ENDPOINT'],
    ['a proxy', "host: 'http://127.0.0.1:9', proxy: process.env.ENDPOINT"],
  ])(
    'settles a batch stuck in connect to %s when close() times out, and leaves no socket behind',
    async (_, where) => {
      const stdout = await runChild(`
      import { Analytics } from ${JSON.stringify(entry)};
      const failed = [];
      const analytics = new Analytics({
        writeKey: 'k',
        ${where},
        logger: { debug() {}, info() {}, warn() {}, error() {} },
        onError: (error, messages) => failed.push([error.code, messages.length]),
      });
      analytics.track({ userId: 'u1', event: 'Stuck In Connect' });
      const report = await analytics.close({ timeout: 300 });
      console.log(JSON.stringify({ report, failed, handles: process.getActiveResourcesInfo() }));
    `);
      const out = JSON.parse(stdout) as {
        report: { delivered: number; failed: number; pending: number };
        failed: [string, number][];
        handles: string[];
      };
      expect(out.report).toEqual({ delivered: 0, failed: 1, pending: 0 });
      expect(out.failed).toEqual([['FLUSH_TIMEOUT', 1]]);
      expect(out.handles.filter((h) => /TCP|Connect|Timeout/.test(h))).toEqual([]);
    },
  );
});
