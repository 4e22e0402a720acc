import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runNextJourney } from '@tributary/example-next/journey.mjs';
import { exampleAppDir } from './example-app.js';
import type { Journey } from './journey.js';

/** The Next.js example, served by `next start`, instrumented with @tributary/next. */
export const nextShop: Journey = {
  name: 'Next.js shop',
  description:
    'apps/example-next: proxy page views, route handlers, a Server Action; SIGTERM delivers',
  async run({ collectorUrl, writeKey, log }) {
    const dir = exampleAppDir('@tributary/example-next');
    const nextBin = createRequire(join(dir, 'package.json')).resolve('next/dist/bin/next');
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'],
      {
        cwd: dir,
        env: {
          ...process.env,
          NODE_ENV: 'production',
          NEXT_TELEMETRY_DISABLED: '1',
          // initAnalytics then owns SIGTERM: it delivers what is queued before the process exits.
          NEXT_MANUAL_SIG_HANDLE: 'true',
          TRIBUTARY_HOST: collectorUrl,
          TRIBUTARY_WRITE_KEY: writeKey,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`next start exited with ${child.exitCode}\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`next start did not answer in 60 s\n${stderr}`);
      const ready = await fetch(`${url}/`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    log(`next start listening on ${url}`);
    const result = await runNextJourney(url);
    log(
      `${result.steps.length} steps as ${result.userId}, anonymous id seeded by the proxy: ${result.anonymousId ?? 'none'}`,
    );
    child.kill('SIGTERM');
    const code = await exited;
    log(`SIGTERM: Next.js delivered its events and exited with code ${code}`);
    if (code !== 0) throw new Error(`next start exited with code ${code}\n${stderr}`);
  },
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
