/**
 * One SDK run, in a fresh process: the orchestrator forks this file with `--expose-gc`, sends one
 * task, and reads measurements back over IPC. Nothing here installs error listeners: a run that an
 * SDK crashes shows up as a crashed run.
 */
import { Pool } from 'undici';
import { cpuMicros, nanos, nextTurn, sleep, wallClock } from './clock.js';
import { eventProperties, userIdFor, wireMessage } from './event.js';
import { nextFromParent, tell } from './ipc.js';
import type { Envelope, WorkerTask } from './protocol.js';
import { createSdk, WRITE_KEY } from './sdks.js';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/** Keeps built objects reachable so the loop that builds them cannot be optimized away. */
export let retained: unknown;

/** The JS heap plus ArrayBuffer memory: an SDK may hold its events as bytes outside the heap. */
function heapUsed(): number {
  gc();
  gc();
  const memory = process.memoryUsage();
  return memory.heapUsed + memory.arrayBuffers;
}

function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** Cost of building the event alone, the part of every loop below that is not the SDK's. */
function factoryNsPerCall(n: number): number {
  const start = nanos();
  for (let i = 0; i < n; i++) retained = eventProperties(i);
  return (nanos() - start) / n;
}

/**
 * The machine's speed in one number: `JSON.stringify` of the finished event, the least work any
 * SDK must do per call. Absolute figures from a loaded machine can be rescaled by it.
 */
function stringifyNsPerCall(n: number): number {
  const messages = Array.from({ length: n }, (_, i) => wireMessage(i));
  let bytes = 0;
  const start = nanos();
  for (const message of messages) bytes += JSON.stringify(message).length;
  const ns = (nanos() - start) / n;
  retained = bytes;
  return ns;
}

async function callCost(
  task: Extract<WorkerTask, { kind: 'call-cost' }>,
): Promise<Record<string, unknown>> {
  const n = task.spec.events;
  const factoryNs = factoryNsPerCall(Math.min(n, 20_000));
  const stringifyNs = stringifyNsPerCall(Math.min(n, 20_000));
  retained = undefined;
  const sdk = await createSdk(task.spec);
  await sleep(50);
  const heapBefore = heapUsed();
  const cpu0 = cpuMicros();
  const t0 = nanos();
  for (let i = 0; i < n; i++) sdk.track(userIdFor(i), eventProperties(i));
  const t1 = nanos();
  await nextTurn();
  const t2 = nanos();
  const cpu1 = cpuMicros();
  const held = sdk.held();
  const heapAfter = heapUsed();
  return {
    syncNs: (t1 - t0) / n,
    withDeferredNs: (t2 - t0) / n,
    cpuNs: ((cpu1 - cpu0) * 1000) / n,
    factoryNs,
    stringifyNs,
    held,
    heapDelta: heapAfter - heapBefore,
    heapPerHeld: held > 0 ? (heapAfter - heapBefore) / held : null,
    peakRss: peakRss(),
    sdk: sdk.report(),
    settings: sdk.settings,
  };
}

async function delivered(
  task: Extract<WorkerTask, { kind: 'delivered' }>,
): Promise<Record<string, unknown>> {
  const n = task.spec.events;
  const sdk = await createSdk(task.spec);
  await sleep(50);
  await tell({ type: 'ready' });
  await nextFromParent('go', 10_000);
  const cpu0 = cpuMicros();
  const startedAt = wallClock();
  // Scenario 2 is the paced run's first phase: the calls, 100 per turn, with the sink up.
  let syncTotal = 0;
  const t0 = nanos();
  if (task.mode === 'burst') {
    for (let i = 0; i < n; i++) sdk.track(userIdFor(i), eventProperties(i));
    syncTotal = nanos() - t0;
  } else {
    for (let i = 0; i < n;) {
      const s = nanos();
      const end = Math.min(n, i + task.chunk);
      for (; i < end; i++) sdk.track(userIdFor(i), eventProperties(i));
      syncTotal += nanos() - s;
      await nextTurn();
    }
  }
  const callsNs = nanos() - t0;
  const callsCpu = cpuMicros() - cpu0;
  const heldAfterCalls = sdk.held();
  const callsEndedAt = wallClock();
  await tell({ type: 'calls-done', startedAt, callsEndedAt });
  let flushError: string | undefined;
  // The run ends when the sink has every event; flush() only makes sure nothing waits on a timer.
  // Its promise may outlive the measurement (the snapshot below does not wait for it).
  sdk.flush().then(
    () => void tell({ type: 'flushed', at: wallClock() }),
    (error: unknown) => {
      flushError = String(error);
      void tell({ type: 'flushed', at: wallClock(), error: flushError });
    },
  );
  await nextFromParent('snapshot', 300_000);
  const cpu1 = cpuMicros();
  return {
    startedAt,
    callsEndedAt,
    syncNs: syncTotal / n,
    callsWallNs: callsNs / n,
    callsCpuNs: (callsCpu * 1000) / n,
    heldAfterCalls,
    cpuMicros: cpu1 - cpu0,
    peakRss: peakRss(),
    held: sdk.held(),
    flushError,
    sdk: sdk.report(),
    settings: sdk.settings,
  };
}

/** The wire limit: the least any SDK must do, batches of 100 over a keep-alive pool. */
async function wire(task: Extract<WorkerTask, { kind: 'wire' }>): Promise<Record<string, unknown>> {
  const batchSize = 100;
  const batches = Math.ceil(task.events / batchSize);
  const messages: object[][] = [];
  for (let b = 0; b < batches; b++) {
    const batch: object[] = [];
    for (let j = 0; j < batchSize && b * batchSize + j < task.events; j++) {
      const i = b * batchSize + j;
      batch.push(wireMessage(i));
    }
    messages.push(batch);
  }
  const body = (batch: object[]) =>
    JSON.stringify({ batch, writeKey: WRITE_KEY, sentAt: new Date().toISOString() });
  const bodies = task.variant === 'preserialized' ? messages.map(body) : undefined;
  const pool = new Pool(task.host, {
    connections: task.connections,
    pipelining: 1,
    keepAliveTimeout: 10_000,
  });
  const headers = {
    'content-type': 'application/json',
    authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
  };
  await tell({ type: 'ready' });
  await nextFromParent('go', 10_000);
  const cpu0 = cpuMicros();
  const startedAt = wallClock();
  let next = 0;
  let failures = 0;
  const lane = async () => {
    while (next < batches) {
      const b = next++;
      const payload = bodies?.[b] ?? body(messages[b]!);
      const response = await pool.request({
        path: '/v1/batch',
        method: 'POST',
        headers,
        body: payload,
      });
      await response.body.dump();
      if (response.statusCode !== 200) failures++;
    }
  };
  await Promise.all(Array.from({ length: task.connections }, lane));
  const endedAt = wallClock();
  const cpu1 = cpuMicros();
  await pool.close();
  return { startedAt, endedAt, cpuMicros: cpu1 - cpu0, failures, peakRss: peakRss() };
}

/** Endpoint down: offer events at a steady rate, sample memory, then time the bounded close. */
async function dead(task: Extract<WorkerTask, { kind: 'dead' }>): Promise<Record<string, unknown>> {
  const n = task.spec.events;
  const sdk = await createSdk(task.spec);
  const tickMs = 100;
  const ticks = Math.max(1, Math.round(task.durationMs / tickMs));
  const perTick = Math.ceil(n / ticks);
  const samples: Record<string, unknown>[] = [];
  const start = Date.now();
  let offered = 0;
  let windowNs = 0;
  let windowCalls = 0;
  let nextSample = start;
  let stoppedEarly: string | undefined;
  const sample = () => {
    const memory = process.memoryUsage();
    const entry = {
      t: Date.now() - start,
      offered,
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      held: sdk.held(),
      callNs: windowCalls > 0 ? windowNs / windowCalls : null,
      sdk: sdk.report(),
    };
    samples.push(entry);
    // Streamed too, so a run whose SDK never returns from close still leaves its memory curve.
    void tell({ type: 'sample', sample: entry });
    windowNs = 0;
    windowCalls = 0;
  };
  for (let tick = 0; tick < ticks && offered < n; tick++) {
    const s = nanos();
    const end = Math.min(n, offered + perTick);
    for (let i = offered; i < end; i++) sdk.track(userIdFor(i), eventProperties(i));
    windowNs += nanos() - s;
    windowCalls += end - offered;
    offered = end;
    if (Date.now() >= nextSample) {
      sample();
      nextSample += task.sampleEveryMs;
    }
    // Bounded whatever the SDK does: an SDK that balloons past 3 GB is stopped, not the machine.
    if (process.memoryUsage().rss > 3 * 1024 ** 3) {
      stoppedEarly = 'rss above 3 GB';
      break;
    }
    if (Date.now() - start > 2 * task.durationMs) {
      stoppedEarly = `offering took more than ${2 * task.durationMs} ms`;
      break;
    }
    const wait = start + (tick + 1) * tickMs - Date.now();
    if (wait > 0) await sleep(wait);
    else await nextTurn();
  }
  sample();
  const closeStart = Date.now();
  let closeError: string | undefined;
  // The harness's own bound on the SDK's bounded close: an SDK whose close overruns its timeout by
  // more than 20 s is reported as such instead of hanging the run.
  let closeReturned = true;
  try {
    closeReturned = await Promise.race([
      sdk.close(task.closeTimeoutMs).then(() => true),
      sleep(task.closeTimeoutMs + 20_000).then(() => false),
    ]);
  } catch (error) {
    closeError = String(error);
  }
  const closeMs = Date.now() - closeStart;
  sample();
  return {
    offered,
    closeMs,
    closeReturned,
    closeError,
    stoppedEarly,
    samples,
    peakRss: peakRss(),
    sdk: sdk.report(),
    settings: sdk.settings,
  };
}

async function main(): Promise<void> {
  const { task } = (await nextFromParent('task', 30_000)) as Envelope & { task: WorkerTask };
  let result: Record<string, unknown>;
  switch (task.kind) {
    case 'call-cost':
      result = await callCost(task);
      break;
    case 'delivered':
      result = await delivered(task);
      break;
    case 'wire':
      result = await wire(task);
      break;
    case 'dead':
      result = await dead(task);
      break;
  }
  retained = undefined;
  await tell({ type: 'result', result });
  // The SDK may still hold timers or sockets; the run is over either way.
  process.exit(0);
}

process.on('disconnect', () => process.exit(0));
void main();
