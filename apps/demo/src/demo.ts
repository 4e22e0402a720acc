import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { RunningCollector } from '@tributary/collector';
import { CollectorError, startCollector } from '@tributary/collector';
import { Analytics } from '@tributary/core';
import type { JourneyContext, Visitor } from './journeys/index.js';
import { journeys } from './journeys/index.js';
import { summaryTable } from './summary.js';

const WRITE_KEY = 'demo-write-key';
/** The port the demo tries first, so the debugger URL is the same from run to run. */
const PREFERRED_PORT = 4318;

const USAGE = `Usage: npm run demo [-- --open] [-- --port <n>]

Starts a local collector (in memory), drives scripted user journeys through @tributary/core,
prints what the collector received, and exits.

  --open        keep the collector running to explore the debugger page (Ctrl+C to stop)
  --port <n>    collector port (default ${PREFERRED_PORT}, or a free one if it is taken)
  --help        show this help
`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      open: { type: 'boolean' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    console.error(`demo: --port needs a port number, got "${values.port}"`);
    return 2;
  }

  const collector = await startDemoCollector(port);
  const failures: string[] = [];
  const analytics = new Analytics({
    writeKey: WRITE_KEY,
    host: collector.url,
    flushAt: 50,
    flushInterval: 100,
    maxRetries: 2,
    flushOnExit: false,
    onError: (error, messages) =>
      failures.push(`${error.code}: ${error.message} (${messages.length} message(s))`),
  });
  const visitor: Visitor = {
    anonymousId: randomUUID(),
    userId: `user-${randomUUID().slice(0, 8)}`,
    email: 'ada@example.com',
    groupId: 'analytical-engines',
  };

  console.log(`Tributary demo: collector at ${collector.url}\n`);
  for (const journey of journeys) {
    console.log(`▸ ${journey.name}: ${journey.description}`);
    const context: JourneyContext = {
      analytics,
      collectorUrl: collector.url,
      writeKey: WRITE_KEY,
      visitor,
      log: (line) => console.log(`    ${line}`),
    };
    await journey.run(context);
  }

  const report = await analytics.flush({ timeout: 10_000 });
  const sent = analytics.stats().accepted;
  // The collector stores in the same process; waiting on it checks delivery end to end.
  await collector.waitForEvents(report.delivered, { timeout: 10_000 }).catch(() => undefined);
  const stats = collector.stats();

  console.log(
    `\n${sent} events sent by the demo's own client, ${Math.max(0, stats.total - sent)} by the example apps; ${stats.total} received by the collector:\n`,
  );
  console.log(summaryTable(stats));
  console.log(`\n  Debugger: ${collector.url}/`);
  for (const failure of failures) console.error(`  delivery failure: ${failure}`);

  const ok = failures.length === 0 && report.failed === 0 && stats.total >= sent && sent > 0;
  if (!ok) console.error('\nThe collector did not receive every event.');

  if (values.open && ok) {
    console.log('\nThe collector keeps running: open the debugger above. Press Ctrl+C to stop.');
    openBrowser(`${collector.url}/`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  }
  await analytics.close({ timeout: 5000 });
  await collector.close();
  return ok ? 0 : 1;
}

/** Listens on the preferred port, or on any free one when it is taken. */
async function startDemoCollector(port: number | undefined): Promise<RunningCollector> {
  const options = { memory: true, writeKeys: [WRITE_KEY] };
  try {
    return await startCollector({ ...options, port: port ?? PREFERRED_PORT });
  } catch (error) {
    if (port !== undefined || !(error instanceof CollectorError) || error.code !== 'PORT_IN_USE')
      throw error;
    return startCollector({ ...options, port: 0 });
  }
}

/** Best effort: a desktop opens the page; a headless machine just has the URL printed above. */
function openBrowser(url: string): void {
  const hasDisplay =
    process.platform !== 'linux' || Boolean(process.env.DISPLAY ?? process.env.WAYLAND_DISPLAY);
  if (!hasDisplay || process.env.CI) return;
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => {});
  child.unref();
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
