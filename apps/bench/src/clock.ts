/** Milliseconds since the epoch with sub-millisecond precision, comparable across processes on one machine. */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

/** Nanoseconds from a monotonic clock, as a number (exact to well beyond any run's length). */
export function nanos(): number {
  return Number(process.hrtime.bigint());
}

/** Resolves on the next turn of the event loop, after pending promise work and ready I/O. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** CPU time (user + system) of this process, in microseconds. */
export function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** Polls `condition` every `every` ms until it holds or `timeout` ms pass; resolves whether it held. */
export async function waitFor(
  condition: () => boolean,
  timeout: number,
  every = 10,
): Promise<boolean> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await sleep(every);
  }
  return true;
}
