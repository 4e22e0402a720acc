/** `npm run test:soak` sets this: full sizes and durations instead of the bounded ones of `npm test`. */
export const SOAK = process.env.TRIBUTARY_SOAK === '1';

/** The bounded value under `npm test`, the full one under `npm run test:soak`. */
export function size<T>(bounded: T, soak: T): T {
  return SOAK ? soak : bounded;
}

/** Seed for the random draws of a run: `TRIBUTARY_SEED` when set (to replay a run), else fresh. */
export function runSeed(): number {
  const fromEnv = Number(process.env.TRIBUTARY_SEED);
  return Number.isInteger(fromEnv) && process.env.TRIBUTARY_SEED !== ''
    ? fromEnv
    : Math.floor(Math.random() * 2 ** 31);
}

/** mulberry32: a small seeded generator, so fault draws in the helpers replay with the seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resolves when `condition()` holds; rejects after `timeout` ms, saying what was awaited. */
export async function waitFor(
  condition: () => boolean,
  what: string,
  timeout = 10_000,
  every = 20,
): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}
