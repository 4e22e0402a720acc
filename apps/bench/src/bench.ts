/**
 * `npm run bench`: Tributary against @segment/analytics-node and posthog-node on the same machine,
 * the same event and the same sink, with the wire limit as the yardstick.
 *
 *   node apps/bench/dist/bench.mjs [--smoke] [--only <scenario>[,<scenario>]] [--reps N] [--events N]
 *                                  [--cpu-prof <sdk>] [--no-docs] [--compare <earlier.json>]
 *                                  [--node <path to a node binary>]
 *
 * The sink runs in its own process; every SDK run is a fresh child process; repetitions are
 * interleaved (A B C A B C …); tables report the median with the min–max range.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { cpus, loadavg, totalmem, type as osType, release } from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { sleep } from './clock.js';
import { eventProperties, EVENT_NAME, userIdFor } from './event.js';
import { compareRuns, renderComparison } from './compare.js';
import { WRITE_KEY } from './sdks.js';
import { ask, ChildExit, expectFrom } from './ipc.js';
import {
  SDK_NAMES,
  type AppSpec,
  type ConfigName,
  type Framework,
  type Envelope,
  type GzipChoice,
  type SdkName,
  type SinkStats,
  type WorkerTask,
} from './protocol.js';
import {
  buildFrameworkTable,
  buildSummary,
  buildTables,
  checkTargets,
  renderMarkdown,
  renderSvg,
  renderTerminal,
  SCENARIOS,
  type RunRecord,
  type ScenarioId,
  type SummaryTree,
} from './report.js';

const here = dirname(fileURLToPath(import.meta.url));
const appDir = join(here, '..');
const repoRoot = join(appDir, '..', '..');
const resultsDir = join(appDir, 'results');
const MB = 1024 * 1024;

interface Settings {
  smoke: boolean;
  only: Set<ScenarioId>;
  reps: number;
  deadReps: number;
  events: number;
  deadEvents: number;
  deadDurationMs: number;
  closeTimeoutMs: number;
  expressSeconds: number;
  expressWarmupSeconds: number;
  cpuProf: SdkName | undefined;
  /** `--report <file>`: no measuring; rebuild the tables, chart and docs from a results file. */
  report: string | undefined;
  /** `--max-minutes M`: start no repetition that would end past M minutes (each loop is bounded anyway). */
  maxMinutes: number;
  /** `--sdk a,b`: only these SDKs (for development; a full run measures all three). */
  sdks: Set<string> | undefined;
  /** `--variant a,b`: only these variants of the chosen scenarios. */
  variants: Set<string> | undefined;
  docs: boolean;
  /**
   * `--compare <earlier.json>`: print every figure against that run's. With `--report <later.json>`
   * it only compares the two files and writes nothing.
   */
  compare: string | undefined;
  /** `--node <path>`: the Node binary every child (sink, SDK workers, apps) runs on. Defaults to this one. */
  node: string;
}

function parseArgs(argv: string[]): Settings {
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    return at === -1 ? undefined : argv[at + 1];
  };
  const smoke = argv.includes('--smoke');
  const only = value('--only');
  const scenarios = only === undefined ? SCENARIOS : (only.split(',') as ScenarioId[]);
  for (const s of scenarios)
    if (!SCENARIOS.includes(s))
      throw new Error(`unknown scenario "${s}"; known: ${SCENARIOS.join(', ')}`);
  const num = (flag: string, fallback: number) => {
    const v = value(flag);
    return v === undefined ? fallback : Math.max(1, Math.floor(Number(v)));
  };
  const cpuProf = value('--cpu-prof') as SdkName | undefined;
  return {
    smoke,
    only: new Set(scenarios),
    reps: num('--reps', smoke ? 1 : 5),
    deadReps: num('--dead-reps', 1),
    events: num('--events', smoke ? 1000 : 100_000),
    deadEvents: smoke ? 1000 : 200_000,
    deadDurationMs: smoke ? 1000 : 60_000,
    closeTimeoutMs: smoke ? 500 : 5000,
    expressSeconds: smoke ? 0.5 : 10,
    expressWarmupSeconds: smoke ? 0.2 : 3,
    cpuProf,
    report: value('--report'),
    maxMinutes: num('--max-minutes', smoke ? 4 : 170),
    sdks: value('--sdk') === undefined ? undefined : new Set(value('--sdk')!.split(',')),
    variants:
      value('--variant') === undefined ? undefined : new Set(value('--variant')!.split(',')),
    compare: value('--compare'),
    node: value('--node') ?? process.execPath,
    docs:
      !smoke &&
      !argv.includes('--no-docs') &&
      value('--sdk') === undefined &&
      value('--variant') === undefined &&
      value('--node') === undefined,
  };
}

const settings = parseArgs(process.argv.slice(2));
/** `--sdk tributary` also selects the `tributary-core` Express variant. */
const wanted = (sdk: string) =>
  settings.sdks === undefined ||
  [...settings.sdks].some((s) => sdk === s || sdk.startsWith(`${s}-`));
const wantedVariant = (variant: string) =>
  settings.variants === undefined || settings.variants.has(variant);
const runs: RunRecord[] = [];
/** The version of the Node the children run on. */
const childNode =
  settings.node === process.execPath
    ? process.version
    : execFileSync(settings.node, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
let repsDone = 0;
const started = new Date();
const loadBefore = loadavg();

// ── child processes ────────────────────────────────────────────────────────────────────────────

interface Child {
  process: ChildProcess;
  logLines: () => number;
  tail: () => string;
}

/** Forks a child on the chosen Node (`--node`); `file` is one of ours in dist/, or an absolute path. */
function spawn(
  file: string,
  execArgv: string[] = [],
  args: string[] = [],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Child {
  const child = fork(isAbsolute(file) ? file : join(here, file), args, {
    execArgv,
    execPath: settings.node,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    ...options,
  });
  let lines = 0;
  let tail = '';
  const read = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
    tail = (tail + text).slice(-1500);
  };
  child.stdout?.on('data', read);
  child.stderr?.on('data', read);
  return { process: child, logLines: () => lines, tail: () => tail };
}

async function stop(child: Child, graceMs = 2000): Promise<void> {
  const p = child.process;
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  if (p.connected) p.disconnect();
  const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

let sink: Child;
let sinkUrl = '';

async function startSink(): Promise<void> {
  sink = spawn('sink.mjs');
  const { port } = await expectFrom(sink.process, 'listening', 20_000);
  sinkUrl = `http://127.0.0.1:${String(port)}`;
}

async function resetSink(expect = 0): Promise<void> {
  await ask(sink.process, { type: 'reset', expect }, 20_000);
}

async function sinkStats(): Promise<SinkStats> {
  return ((await ask(sink.process, { type: 'stats' }, 20_000)) as Envelope & { stats: SinkStats })
    .stats;
}

function workerArgs(sdk: string): string[] {
  const args = ['--expose-gc'];
  if (settings.cpuProf === sdk) {
    const dir = join(resultsDir, 'profiles');
    mkdirSync(dir, { recursive: true });
    args.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  return args;
}

/** Runs one task in a fresh worker; `during` drives the task's protocol and returns the result message. */
async function inWorker(
  sdk: string,
  task: WorkerTask,
  during: (child: Child) => Promise<Envelope>,
): Promise<{ result: Record<string, unknown>; logLines: number }> {
  const child = spawn('worker.mjs', workerArgs(sdk));
  try {
    child.process.send({ type: 'task', task });
    const message = await during(child);
    return { result: message.result as Record<string, unknown>, logLines: child.logLines() };
  } catch (error) {
    const tail = child.tail().trim();
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}${tail ? `\n  child output: ${tail.slice(-600)}` : ''}`,
      {
        cause: error,
      },
    );
  } finally {
    await stop(child);
  }
}

function record(run: Omit<RunRecord, 'ok'> & { ok?: boolean }): void {
  const full: RunRecord = { ok: true, ...run, load: loadavg()[0] };
  runs.push(full);
  const headline = Object.entries(full.metrics)
    .slice(0, 3)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : String(v)}`)
    .join(' ');
  console.log(
    `  ${full.scenario}/${full.variant} ${full.sdk} #${full.rep + 1}: ${full.ok ? headline : `FAILED ${full.error}`} [${Math.round((Date.now() - started.getTime()) / 1000)} s]`,
  );
}

/** The workspace packages the children import; another process may be rebuilding them. */
const PACKAGE_ENTRIES = ['packages/core/dist/index.mjs', 'packages/express/dist/index.mjs'].map(
  (p) => join(repoRoot, p),
);

async function attempt(
  scenario: ScenarioId,
  variant: string,
  sdk: string,
  rep: number,
  fn: () => Promise<void>,
): Promise<void> {
  for (let round = 1; ; round++) {
    try {
      await fn();
      return;
    } catch (error) {
      // Other work may rebuild a workspace package under us (its dist is briefly missing): wait for
      // the build to land, then run again, a bounded number of times.
      const missing = /ERR_MODULE_NOT_FOUND|Cannot find module/.test(String(error));
      if (!missing || round >= 4) {
        record({
          scenario,
          variant,
          sdk,
          rep,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
          metrics: {},
          logLines: 0,
        });
        return;
      }
      console.log(
        `  ${scenario}/${variant} ${sdk}: a workspace package was being rebuilt; waiting, then running again`,
      );
      const deadline = Date.now() + 180_000;
      while (Date.now() < deadline && !PACKAGE_ENTRIES.every((p) => existsSync(p)))
        await sleep(1000);
      await sleep(3000);
    }
  }
}

// ── scenarios ──────────────────────────────────────────────────────────────────────────────────

/** A smoke run only proves every path works: one config each, the fewest runs that touch every SDK. */
const CONFIGS: ConfigName[] = settings.smoke ? ['tuned'] : ['defaults', 'tuned'];

async function callCost(rep: number): Promise<void> {
  for (const config of CONFIGS.filter(wantedVariant)) {
    for (const sdk of SDK_NAMES.filter(wanted)) {
      await attempt('call-cost', config, sdk, rep, async () => {
        await resetSink();
        const spec = { sdk, config, gzip: undefined, host: sinkUrl, events: settings.events };
        const { result, logLines } = await inWorker(sdk, { kind: 'call-cost', spec }, (c) =>
          expectFrom(c.process, 'result', 300_000),
        );
        record({
          scenario: 'call-cost',
          variant: config,
          sdk,
          rep,
          logLines,
          metrics: {
            withDeferredNs: num(result.withDeferredNs),
            syncNs: num(result.syncNs),
            cpuNs: num(result.cpuNs),
            factoryNs: num(result.factoryNs),
            stringifyNs: num(result.stringifyNs),
            ofStringify: num(result.withDeferredNs) / num(result.stringifyNs),
            heapPerHeld: num(result.heapPerHeld),
            held: num(result.held),
            peakRssMB: num(result.peakRss) / MB,
          },
          detail: { settings: result.settings, sdk: result.sdk },
        });
      });
    }
  }
}

interface DeliveredVariant {
  name: string;
  mode: 'burst' | 'paced';
  config: ConfigName;
  gzip: GzipChoice;
  sdks: readonly SdkName[];
}

const DELIVERED: DeliveredVariant[] = [
  { name: 'burst-defaults', mode: 'burst', config: 'defaults', gzip: undefined, sdks: SDK_NAMES },
  { name: 'burst-tuned', mode: 'burst', config: 'tuned', gzip: false, sdks: SDK_NAMES },
  // analytics-node cannot compress, so it sits this one out.
  {
    name: 'burst-tuned-gzip',
    mode: 'burst',
    config: 'tuned',
    gzip: true,
    sdks: ['tributary', 'posthog'],
  },
  { name: 'paced-defaults', mode: 'paced', config: 'defaults', gzip: undefined, sdks: SDK_NAMES },
  { name: 'paced-tuned', mode: 'paced', config: 'tuned', gzip: false, sdks: SDK_NAMES },
];

/** Latest wire-limit rate in this run, to express each SDK as a fraction of it. */
const wireRates: number[] = [];

const SMOKE_DELIVERED = new Set(['burst-tuned-gzip', 'paced-tuned']);

/**
 * Scenarios 2 and 3 share runs: a paced run's first phase (the calls) is scenario 2, recorded
 * under `paced/<config>`; the whole run to delivery is scenario 3.
 */
async function deliveredRuns(rep: number, modes: Set<'burst' | 'paced'>): Promise<void> {
  for (const variant of DELIVERED) {
    if (!modes.has(variant.mode)) continue;
    if ((settings.smoke && !SMOKE_DELIVERED.has(variant.name)) || !wantedVariant(variant.name))
      continue;
    for (const sdk of variant.sdks.filter(wanted)) {
      await attempt('delivered', variant.name, sdk, rep, async () => {
        const n = settings.events;
        await resetSink(n);
        const spec = { sdk, config: variant.config, gzip: variant.gzip, host: sinkUrl, events: n };
        const task: WorkerTask = { kind: 'delivered', spec, mode: variant.mode, chunk: 100 };
        let endedBy = '';
        const { result, logLines } = await inWorker(sdk, task, async (c) => {
          await expectFrom(c.process, 'ready', 30_000);
          const complete = expectFrom(sink.process, 'complete', 600_000).then(
            () => 'complete',
            () => 'no-complete',
          );
          c.process.send({ type: 'go' });
          await expectFrom(c.process, 'calls-done', 300_000);
          const flushed = expectFrom(c.process, 'flushed', 600_000).then(
            () => 'flushed',
            () => 'flush-failed',
          );
          // Ends when the sink has every event; or, for an SDK that dropped some, once it flushed and the
          // sink went quiet; bounded either way.
          const deadline = Date.now() + (settings.smoke ? 20_000 : 240_000);
          let outcome = await Promise.race([
            complete,
            flushed,
            sleep(Math.max(0, deadline - Date.now())).then(() => 'timeout'),
          ]);
          if (outcome !== 'complete' && outcome !== 'timeout') {
            let last = -1;
            for (;;) {
              const s = await sinkStats();
              const more = await Promise.race([complete, sleep(1000).then(() => 'quiet')]);
              if (more === 'complete') {
                outcome = 'complete';
                break;
              }
              if (s.distinct === last || Date.now() > deadline) break;
              last = s.distinct;
            }
          }
          endedBy = outcome;
          c.process.send({ type: 'snapshot' });
          return expectFrom(c.process, 'result', 30_000);
        });
        const s = await sinkStats();
        const startedAt = num(result.startedAt);
        const seconds = (s.lastNewAt - startedAt) / 1000;
        const rate = s.distinct > 0 && seconds > 0 ? s.distinct / seconds : null;
        const wire = wireRates.length > 0 ? median(wireRates) : null;
        record({
          scenario: 'delivered',
          variant: variant.name,
          sdk,
          rep,
          logLines,
          metrics: {
            eventsPerSec: rate,
            cpuPerEventUs: s.distinct > 0 ? num(result.cpuMicros) / s.distinct : null,
            deliveredShare: (100 * s.distinct) / n,
            peakRssMB: num(result.peakRss) / MB,
            requests: s.requests,
            connections: s.connections,
            duplicates: s.duplicates,
            wireBytesPerEvent: s.distinct > 0 ? s.bodyBytes / s.distinct : null,
            ofWireLimit: rate !== null && wire !== null ? (100 * rate) / wire : null,
            sinkCpuPerEventUs: s.distinct > 0 ? s.cpuMicros / s.distinct : null,
            callsMs: num(result.callsEndedAt) - startedAt,
          },
          detail: {
            endedBy,
            settings: result.settings,
            sdk: result.sdk,
            flushError: result.flushError,
            gzipRequests: s.gzipRequests,
          },
        });
        if (variant.mode === 'paced') {
          record({
            scenario: 'paced',
            variant: variant.config,
            sdk,
            rep,
            logLines,
            metrics: {
              wallNs: num(result.callsWallNs),
              syncNs: num(result.syncNs),
              cpuNs: num(result.callsCpuNs),
              held: num(result.heldAfterCalls),
            },
          });
        }
      });
    }
  }
}

async function wireRuns(rep: number): Promise<void> {
  for (const variant of ['preserialized', 'stringify'] as const) {
    await attempt('wire', variant, 'wire', rep, async () => {
      const n = settings.events;
      await resetSink(n);
      const task: WorkerTask = { kind: 'wire', host: sinkUrl, events: n, variant, connections: 4 };
      const { result } = await inWorker('wire', task, async (c) => {
        await expectFrom(c.process, 'ready', 60_000);
        c.process.send({ type: 'go' });
        return expectFrom(c.process, 'result', 120_000);
      });
      const s = await sinkStats();
      const seconds = (s.lastNewAt - num(result.startedAt)) / 1000;
      const rate = s.distinct / seconds;
      if (variant === 'preserialized') wireRates.push(rate);
      record({
        scenario: 'wire',
        variant,
        sdk: 'wire',
        rep,
        logLines: 0,
        metrics: {
          eventsPerSec: rate,
          cpuPerEventUs: num(result.cpuMicros) / n,
          sinkCpuPerEventUs: s.cpuMicros / n,
          duplicates: s.duplicates,
          requests: s.requests,
          connections: s.connections,
        },
      });
    });
  }
}

const APP_VARIANTS: AppSpec['variant'][] = [
  'baseline',
  'baseline-als',
  'ideal-client',
  'tributary',
  'tributary-core',
  'segment',
  'posthog',
];

/**
 * The per-framework scenario: each adapter against the same app without analytics, and the core
 * client called by hand in the same app. Express 5's row is scenario 5's (with the peers).
 * `baseline-als` (the baseline plus one AsyncLocalStorage.run per request) runs right after the
 * baseline; Next.js has none, as it enters AsyncLocalStorages of its own in every request.
 */
const FRAMEWORK_APPS: Record<Exclude<Framework, 'express5'>, AppSpec['variant'][]> = {
  express4: ['baseline', 'baseline-als', 'tributary', 'tributary-core'],
  'nest-express': [
    'baseline',
    'baseline-als',
    'tributary-track',
    'tributary-service',
    'tributary-core',
  ],
  'nest-fastify': [
    'baseline',
    'baseline-als',
    'tributary-track',
    'tributary-service',
    'tributary-core',
  ],
  next: ['baseline', 'tributary', 'tributary-core'],
};

/** The baselines and references run whatever `--sdk` chooses: the other rows are read against them. */
const isBaseline = (variant: string) =>
  variant === 'baseline' || variant === 'baseline-als' || variant === 'ideal-client';

/**
 * A smoke run leaves out the core called by hand, which scenario 5 already runs in Express, and
 * enters the storage in one app of each kind only: Express 5 (scenario 5) and NestJS on Fastify
 * (through @fastify/middie), about 5 s more rather than 10.
 */
const skippedInSmoke = (framework: Framework, variant: string) =>
  settings.smoke &&
  (variant === 'tributary-core' || (variant === 'baseline-als' && framework !== 'nest-fastify'));

/** The baseline measured last in each scenario/variant: drift between repetitions cancels out. */
const appBaselines = new Map<string, { reqPerSec: number; cpuPerReqUs: number | null }>();

async function expressRuns(rep: number): Promise<void> {
  for (const variant of APP_VARIANTS.filter((v) => isBaseline(v) || wanted(v)))
    await appRun('express', 'defaults', { framework: 'express5', variant, host: sinkUrl }, rep);
}

async function frameworkRuns(rep: number): Promise<void> {
  for (const [framework, variants] of Object.entries(FRAMEWORK_APPS) as [
    Exclude<Framework, 'express5'>,
    AppSpec['variant'][],
  ][]) {
    if (!wantedVariant(framework)) continue;
    const chosen = variants.filter(
      (v) => (isBaseline(v) || wanted(v)) && !skippedInSmoke(framework, v),
    );
    for (const variant of chosen)
      await appRun('frameworks', framework, { framework, variant, host: sinkUrl }, rep);
  }
}

interface RunningApp {
  child: Child;
  url: string;
}

/** Starts one app process and resolves once it answers on its URL. */
async function startApp(spec: AppSpec): Promise<RunningApp> {
  // `--cpu-prof <variant>` profiles that app (`baseline` included); --expose-gc is for SDK workers.
  const profiling = workerArgs(spec.variant).slice(1);
  if (spec.framework === 'next') {
    // `next start` serves from the process the CLI runs in; the probe answers its marks.
    const port = await closedPort();
    const child = spawnNext(port, profiling);
    const url = `http://127.0.0.1:${String(port)}/${spec.variant}`;
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.process.exitCode !== null) throw new Error(`next start exited: ${child.tail()}`);
      const ok = await fetch(url).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return { child, url };
      if (Date.now() > deadline) throw new Error(`next start did not answer ${url} within 90 s`);
      await sleep(200);
    }
  }
  const file = spec.framework.startsWith('nest-') ? 'nest-app.mjs' : 'express-app.mjs';
  const child = spawn(file, profiling);
  child.process.send({ type: 'app', spec });
  const { port } = await expectFrom(child.process, 'listening', 60_000);
  return { child, url: `http://127.0.0.1:${String(port)}/checkout` };
}

function spawnNext(port: number, execArgv: string[]): Child {
  const bin = join(repoRoot, 'node_modules', 'next', 'dist', 'bin', 'next');
  return spawn(
    bin,
    ['--import', pathToFileURL(join(here, 'next-probe.mjs')).href, ...execArgv],
    ['start', '-p', String(port), '-H', '127.0.0.1'],
    {
      cwd: join(appDir, 'next-app'),
      env: {
        ...process.env,
        NEXT_TELEMETRY_DISABLED: '1',
        TRIBUTARY_WRITE_KEY: WRITE_KEY,
        TRIBUTARY_HOST: sinkUrl,
      },
    },
  );
}

async function appRun(
  scenario: 'express' | 'frameworks',
  variant: string,
  spec: AppSpec,
  rep: number,
): Promise<void> {
  await attempt(scenario, variant, spec.variant, rep, async () => {
    await resetSink();
    const app = await startApp(spec);
    try {
      await autocannon({ url: app.url, connections: 10, duration: settings.expressWarmupSeconds });
      const before = await ask(app.child.process, { type: 'mark' });
      const result = await autocannon({
        url: app.url,
        connections: 10,
        duration: settings.expressSeconds,
      });
      const after = await ask(app.child.process, { type: 'mark' });
      const served = num(after.served) - num(before.served);
      const cpuPerReqUs =
        served > 0 ? (num(after.cpuMicros) - num(before.cpuMicros)) / served : null;
      const reqPerSec = result.requests.total / result.duration;
      const key = `${scenario}/${variant}`;
      if (spec.variant === 'baseline') appBaselines.set(key, { reqPerSec, cpuPerReqUs });
      // The baseline of the same repetition, measured just before: drift cancels out.
      const base = appBaselines.get(key);
      record({
        scenario,
        variant,
        sdk: spec.variant,
        rep,
        logLines: app.child.logLines(),
        metrics: {
          reqPerSec,
          ofBaseline: base === undefined ? null : reqPerSec / base.reqPerSec,
          p99Ms: result.latency.p99,
          cpuPerReqUs,
          extraCpuUs:
            base?.cpuPerReqUs == null || cpuPerReqUs === null
              ? null
              : cpuPerReqUs - base.cpuPerReqUs,
          errors: result.errors + result.non2xx + result.timeouts,
          rssMB: num(after.rss) / MB,
        },
      });
      app.child.process.send({ type: 'stop' });
    } catch (error) {
      throw new Error(`${String(error)}\n  app output: ${app.child.tail().slice(-600)}`, {
        cause: error,
      });
    } finally {
      await stop(app.child, 5000);
    }
  });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function deadRuns(rep: number): Promise<void> {
  for (const sdk of SDK_NAMES.filter(wanted)) {
    await attempt('dead', 'defaults', sdk, rep, async () => {
      const host = `http://127.0.0.1:${String(await closedPort())}`;
      const spec = {
        sdk,
        config: 'defaults' as const,
        gzip: undefined,
        host,
        events: settings.deadEvents,
      };
      const task: WorkerTask = {
        kind: 'dead',
        spec,
        durationMs: settings.deadDurationMs,
        closeTimeoutMs: settings.closeTimeoutMs,
        sampleEveryMs: settings.smoke ? 250 : 1000,
      };
      const child = spawn('worker.mjs', workerArgs(sdk));
      let result: Record<string, unknown> | undefined;
      let crash: string | undefined;
      const streamed: Record<string, unknown>[] = [];
      child.process.on('message', (m: Envelope) => {
        if (m.type === 'sample') streamed.push(m.sample as Record<string, unknown>);
      });
      try {
        child.process.send({ type: 'task', task });
        result = (
          await expectFrom(
            child.process,
            'result',
            settings.deadDurationMs + settings.closeTimeoutMs + 120_000,
          )
        ).result as Record<string, unknown>;
      } catch (error) {
        if (error instanceof ChildExit) crash = `${error.message}: ${child.tail().slice(-400)}`;
        else if (streamed.length > 0) {
          // Alive but never finished (its close did not return): keep what it streamed.
          result = {
            samples: streamed,
            offered: streamed.at(-1)?.offered,
            closeMs: null,
            closeReturned: false,
            hung: String(error),
          };
        } else throw error;
      } finally {
        await stop(child);
      }
      if (result === undefined) {
        record({
          scenario: 'dead',
          variant: 'defaults',
          sdk,
          rep,
          logLines: child.logLines(),
          metrics: { survived: 0 },
          detail: { crash },
        });
        return;
      }
      const hung = result.closeMs === null;
      const samples =
        (result.samples as {
          t: number;
          offered: number;
          rss: number;
          heapUsed: number;
          held: number;
          callNs: number | null;
        }[]) ?? [];
      const offering = samples.slice(0, -1);
      const half = offering[Math.floor(offering.length / 2)];
      const end = offering.at(-1);
      const windows = offering.map((s) => s.callNs).filter((v): v is number => v !== null);
      const report = result.sdk as Record<string, unknown>;
      const offered = num(result.offered);
      let reportedDrops: number | null = null;
      let uncounted: number | null = null;
      if (sdk === 'tributary') {
        const rejected = sumValues(report.rejected);
        const dropped = sumValues(report.dropped);
        reportedDrops = rejected + dropped;
        uncounted =
          offered -
          num(report.delivered) -
          reportedDrops -
          num(report.queued) -
          num(report.inFlightMessages);
      }
      record({
        scenario: 'dead',
        variant: 'defaults',
        sdk,
        rep,
        logLines: child.logLines(),
        metrics: {
          survived: 1,
          callNsMedian: windows.length > 0 ? median(windows) : null,
          callNsMax: windows.length > 0 ? Math.max(...windows) : null,
          rssHalfMB: half === undefined ? null : half.rss / MB,
          rssEndMB: end === undefined ? null : end.rss / MB,
          rssGrowthSecondHalfMB:
            half === undefined || end === undefined ? null : (end.rss - half.rss) / MB,
          heldEnd: end?.held ?? null,
          reportedDrops,
          uncounted,
          logLines: child.logLines(),
          closeMs: hung ? null : num(result.closeMs),
          closeOverrunMs: hung ? null : num(result.closeMs) - settings.closeTimeoutMs,
          closeReturned: result.closeReturned === false ? 0 : 1,
          offered,
        },
        detail: {
          samples: samples.map((s) => ({
            t: s.t,
            offered: s.offered,
            rssMB: +(s.rss / MB).toFixed(1),
            heapMB: +(s.heapUsed / MB).toFixed(1),
            held: s.held,
            callNs: s.callNs,
          })),
          sdk: report,
          closeError: result.closeError,
          stoppedEarly: result.stoppedEarly,
          hung: result.hung,
          settings: result.settings,
        },
      });
    });
  }
}

// ── main ───────────────────────────────────────────────────────────────────────────────────────

function num(value: unknown): number {
  return typeof value === 'number' ? value : Number.NaN;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function sumValues(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  return Object.values(value).reduce<number>((sum, v) => sum + (typeof v === 'number' ? v : 0), 0);
}

function versionOf(name: string): string {
  try {
    const file = join(repoRoot, 'node_modules', ...name.split('/'), 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function eventBytes(): number {
  return Buffer.byteLength(
    JSON.stringify({
      type: 'track',
      messageId: '00000000-0000-4000-8000-000000000000',
      timestamp: new Date().toISOString(),
      context: { library: { name: '@tributary/core', version: versionOf('@tributary/core') } },
      userId: userIdFor(0),
      event: EVENT_NAME,
      properties: eventProperties(0),
    }),
  );
}

const VARIANT_NOTES: Record<string, string> = {
  'call-cost/defaults': 'each SDK as installed',
  'call-cost/tuned': 'batches of 100, queue cap above the burst',
  'paced/defaults': 'each SDK as installed',
  'paced/tuned': 'batches of 100, queue cap above the burst',
  'delivered/burst-defaults': 'burst, each SDK as installed: PostHog gzips, the others do not',
  'delivered/burst-tuned': 'burst, batches of 100, queue cap above the burst, no gzip',
  'delivered/burst-tuned-gzip': 'burst, tuned, gzip on; analytics-node has no gzip',
  'delivered/paced-defaults': '100 calls per event-loop turn, each SDK as installed',
  'delivered/paced-tuned': '100 calls per event-loop turn, tuned, no gzip',
  'wire/preserialized': 'bodies built before the clock starts',
  'wire/stringify': 'JSON.stringify of each batch at send time',
  'express/defaults':
    'Express 5, each SDK as installed; Tributary through @tributary/express, the peers by hand; baseline-als: no analytics, one AsyncLocalStorage.run per request; ideal-client: the stringify-at-send client of the wire limit, by hand',
  'frameworks/express4':
    'Express 4 (npm alias express4); tributary: @tributary/express and req.analytics.track; baseline-als: no analytics, one AsyncLocalStorage.run per request',
  'frameworks/nest-express':
    'NestJS on Express; tributary-track: @Track() on the handler; tributary-service: AnalyticsService.track in it; baseline-als: no analytics, one AsyncLocalStorage.run per request',
  'frameworks/nest-fastify':
    'NestJS on Fastify; tributary-track: @Track() on the handler; tributary-service: AnalyticsService.track in it; baseline-als: no analytics, one AsyncLocalStorage.run per request',
  'frameworks/next':
    'a Next.js route handler under next start; tributary: withAnalytics and analytics.track',
  'dead/defaults': 'connection refused, each SDK as installed, no error listeners',
};

async function main(): Promise<void> {
  if (settings.report !== undefined && settings.compare !== undefined) {
    const later = readResults(settings.report);
    runs.push(...later.runs);
    printComparison(settings.compare, buildSummary(runs.filter((r) => r.ok)));
    return;
  }
  if (settings.report !== undefined) {
    const saved = readResults(settings.report);
    runs.push(...saved.runs);
    writeOutputs(saved.meta.scenarios as ScenarioId[], saved.meta);
    return;
  }
  const order = SCENARIOS.filter((s) => settings.only.has(s));
  // The wire limit first in every repetition, so the SDK rows can be expressed as a fraction of it.
  if (order.includes('delivered') && !order.includes('wire')) order.unshift('wire');
  else if (order.includes('wire')) {
    order.splice(order.indexOf('wire'), 1);
    order.unshift('wire');
  }
  console.log(
    `Tributary bench: ${order.join(', ')}; ${settings.reps} repetition(s); N=${settings.events}; node ${childNode}${settings.node === process.execPath ? '' : ` (${settings.node})`}; load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}${settings.smoke ? ' (smoke)' : ''}`,
  );
  await startSink();
  try {
    for (let rep = 0; rep < settings.reps; rep++) {
      const elapsed = Date.now() - started.getTime();
      const perRep = rep === 0 ? 0 : elapsed / rep;
      if (rep > 0 && elapsed + perRep > settings.maxMinutes * 60_000) {
        console.log(
          `stopping after ${rep} repetition(s): another would end past --max-minutes ${settings.maxMinutes} (≈${Math.round(perRep / 60_000)} min each)`,
        );
        break;
      }
      repsDone = rep + 1;
      console.log(
        `repetition ${rep + 1} of ${settings.reps} (${Math.round(elapsed / 1000)} s elapsed; load ${loadavg()[0]!.toFixed(2)})`,
      );
      for (const scenario of order) {
        if (scenario === 'dead' && rep >= settings.deadReps) continue;
        if (scenario === 'paced' && order.includes('delivered')) continue;
        const modes = new Set<'burst' | 'paced'>(
          scenario === 'paced'
            ? ['paced']
            : order.includes('paced')
              ? ['burst', 'paced']
              : ['burst'],
        );
        const run = {
          'call-cost': callCost,
          paced: (r: number) => deliveredRuns(r, modes),
          delivered: (r: number) => deliveredRuns(r, modes),
          wire: wireRuns,
          express: expressRuns,
          frameworks: frameworkRuns,
          dead: deadRuns,
        }[scenario];
        await run(rep);
      }
    }
  } finally {
    sink.process.send({ type: 'exit' });
    await stop(sink);
  }
  writeOutputs(order);
  const failed = runs.filter((r) => !r.ok);
  if (failed.length > 0) {
    console.error(`\n${failed.length} run(s) failed:`);
    for (const f of failed)
      console.error(`  ${f.scenario}/${f.variant} ${f.sdk} #${f.rep + 1}: ${f.error}`);
    process.exitCode = 1;
  }
}

type Meta = Record<string, unknown> & {
  versions: Record<string, string>;
  cpu: string;
  startedAt: string;
};

function writeOutputs(order: ScenarioId[], recorded?: Meta): void {
  const tree: SummaryTree = buildSummary(runs.filter((r) => r.ok));
  const overview = buildFrameworkTable(tree);
  const tables = [...buildTables(tree, VARIANT_NOTES), ...(overview === null ? [] : [overview])];
  for (const table of tables) console.log(renderTerminal(table));
  const targets = checkTargets(tree);
  console.log('\nTargets (Tributary medians):');
  for (const t of targets)
    console.log(`  ${t.met === null ? '·' : t.met ? '✔' : '✘'} ${t.target}: ${t.measured}`);
  const loadAfter = loadavg();
  const command = `node apps/bench/dist/bench.mjs ${process.argv.slice(2).join(' ')}`.trim();
  const during = runs.map((r) => r.load).filter((l): l is number => typeof l === 'number');
  const meta: Meta = recorded ?? {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    command,
    smoke: settings.smoke,
    scenarios: order,
    repetitions: repsDone,
    repetitionsRequested: settings.reps,
    git: gitState(),
    deadRepetitions: settings.deadReps,
    events: settings.events,
    deadEvents: settings.deadEvents,
    deadDurationMs: settings.deadDurationMs,
    closeTimeoutMs: settings.closeTimeoutMs,
    expressSeconds: settings.expressSeconds,
    eventBytes: eventBytes(),
    // The Node the measured processes ran on (`--node`); the orchestrator's when they differ.
    node: childNode,
    ...(childNode === process.version ? {} : { orchestratorNode: process.version }),
    os: `${osType()} ${release()}`,
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGB: +(totalmem() / 1024 ** 3).toFixed(1),
    loadAverage: {
      before: loadBefore,
      after: loadAfter,
      // The 1-minute load average as each run ended.
      during:
        during.length === 0
          ? null
          : { min: Math.min(...during), median: median(during), max: Math.max(...during) },
    },
    versions: {
      '@tributary/core': versionOf('@tributary/core'),
      '@tributary/express': versionOf('@tributary/express'),
      '@segment/analytics-node': versionOf('@segment/analytics-node'),
      'posthog-node': versionOf('posthog-node'),
      express: versionOf('express'),
      express4: versionOf('express4'),
      '@nestjs/core': versionOf('@nestjs/core'),
      fastify: versionOf('fastify'),
      next: versionOf('next'),
      undici: versionOf('undici'),
      autocannon: versionOf('autocannon'),
    },
  };
  mkdirSync(resultsDir, { recursive: true });
  // A smoke run, or a development run over a subset of SDKs or variants, never replaces latest.json.
  const partial = settings.sdks !== undefined || settings.variants !== undefined;
  if (settings.compare !== undefined) printComparison(settings.compare, tree);
  // The published run (latest.json, the docs) is on the Node that runs the harness; a run of the
  // children on another Node (`--node`) is kept beside it, e.g. results/node-v24.22.3.json.
  const otherNode = settings.node !== process.execPath;
  const out =
    settings.report ??
    join(
      resultsDir,
      settings.smoke
        ? 'smoke.json'
        : partial
          ? 'dev.json'
          : otherNode
            ? `node-${childNode}.json`
            : 'latest.json',
    );
  writeFileSync(out, `${JSON.stringify({ meta, summary: tree, targets, runs }, null, 2)}\n`);
  console.log(`\nresults: ${relative(process.cwd(), out)}`);
  if (!settings.docs) return;
  const svgFile = join(resultsDir, 'chart.svg');
  writeFileSync(
    svgFile,
    renderSvg(
      tree,
      `Median of ${String(meta.repetitions)} interleaved runs (whiskers: min–max); node ${String(meta.node)}; ${meta.cpu}; ${meta.startedAt}`,
    ),
  );
  writeDocs(meta, tables.map(renderMarkdown).join('\n'), targets);
}

/** `results/x.json` works from the repository root too (`npm run bench -- --compare results/…`). */
function resultsFile(file: string): string {
  const inApp = join(appDir, file);
  return !existsSync(file) && existsSync(inApp) ? inApp : file;
}

function readResults(file: string): { meta: Meta; runs: RunRecord[] } {
  return JSON.parse(readFileSync(resultsFile(file), 'utf8')) as { meta: Meta; runs: RunRecord[] };
}

/** The earlier run's summary is rebuilt from its runs, so files from older harnesses compare too. */
function printComparison(earlierFile: string, now: SummaryTree): void {
  const earlier = readResults(earlierFile);
  const tree = buildSummary(earlier.runs.filter((r) => r.ok));
  console.log(
    renderComparison(
      compareRuns(tree, now),
      `${relative(process.cwd(), resultsFile(earlierFile))} (${String(earlier.meta.startedAt)}, node ${String(earlier.meta.node)})`,
    ),
  );
}

const BEGIN = '<!-- bench:begin (generated by `npm run bench`; edit outside these markers) -->';
const END = '<!-- bench:end -->';

function writeDocs(meta: Meta, tables: string, targets: ReturnType<typeof checkTargets>): void {
  const file = join(repoRoot, 'docs', 'benchmarks.md');
  const generated = [
    BEGIN,
    '',
    `Run ${String(meta.startedAt)} → ${String(meta.finishedAt)}: \`${String(meta.command)}\`, ${String(meta.repetitions)} interleaved repetitions (dead endpoint: ${String(meta.deadRepetitions)}), N = ${String(meta.events)}, event ≈ ${String(meta.eventBytes)} bytes as Tributary sends it.`,
    `Machine: ${String(meta.cpu)}, ${String(meta.memoryGB)} GB, ${String(meta.os)}, Node ${String(meta.node)}; load average before ${fmtLoad((meta.loadAverage as { before: number[] }).before)}, after ${fmtLoad((meta.loadAverage as { after: number[] }).after)}.`,
    '',
    `Versions: ${Object.entries(meta.versions)
      .map(([k, v]) => `\`${k}\` ${v}`)
      .join(', ')}.`,
    '',
    '![Tributary and the peers against the wire limit](../apps/bench/results/chart.svg)',
    '',
    '### Targets (Tributary medians)',
    '',
    '| target | measured | met |',
    '| --- | --- | :---: |',
    ...targets.map(
      (t) => `| ${t.target} | ${t.measured} | ${t.met === null ? '–' : t.met ? 'yes' : '**no**'} |`,
    ),
    '',
    '### Tables (median, min–max in parentheses)',
    '',
    tables,
    END,
  ].join('\n');
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const a = existing.indexOf(BEGIN);
  const b = existing.indexOf(END);
  const next =
    a !== -1 && b > a
      ? `${existing.slice(0, a)}${generated}${existing.slice(b + END.length)}`
      : `${existing || '# Benchmarks\n\n'}\n## Latest run\n\n${generated}\n`;
  writeFileSync(file, next);
  console.log(`docs: ${relative(process.cwd(), file)}`);
}

/** Which code was measured: the commit, and whether core had uncommitted changes. */
function gitState(): { commit: string; coreDirty: boolean } | undefined {
  try {
    const git = (args: string[]) =>
      execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
    return {
      commit: git(['rev-parse', 'HEAD']),
      coreDirty: git(['status', '--porcelain', '--', 'packages/core/src']) !== '',
    };
  } catch {
    return undefined;
  }
}

function fmtLoad(l: number[]): string {
  return l.map((x) => x.toFixed(2)).join(' / ');
}

const hardStop = setTimeout(
  () => {
    console.error('bench: hard time limit reached; stopping');
    process.exit(2);
  },
  (settings.smoke ? 5 : 180) * 60_000,
);
hardStop.unref();
await main();
// The sink and workers are gone; do not wait on anything an SDK import left behind.
process.exit(process.exitCode ?? 0);
