import { CollectorError } from './collector-error.js';
import { isObject } from './ingest.js';

/**
 * Faults to inject, for tests and demos. Every field is optional; set several to combine them.
 * Per request they are tried in this order: latency, `failNext`, `rateLimit`, `resetRate`,
 * `hangRate`, `failRate`. `down` acts on the listening socket itself.
 */
export interface FaultSpec {
  /** Answer the next `count` requests with `status` (with `Retry-After` when `retryAfter` is set). Count defaults to 1. */
  failNext?: { status: number; count?: number; retryAfter?: number };
  /** Share of requests (0..1) answered with a status picked from `failStatuses`. Defaults to 0. */
  failRate?: number;
  /** Statuses used by `failRate`. Defaults to `[500, 502, 503]`. */
  failStatuses?: number[];
  /**
   * Answer 429 with `Retry-After: retryAfter` (seconds, defaults to 1): the next `count` requests,
   * or a share `rate` (0..1) of them. Without either, every request.
   */
  rateLimit?: { rate?: number; count?: number; retryAfter?: number };
  /** Milliseconds added before each request is handled. Defaults to 0. */
  latency?: number;
  /** Share of requests (0..1) whose connection is reset without an answer. Defaults to 0. */
  resetRate?: number;
  /** Share of requests (0..1) held open without an answer until the client gives up. Defaults to 0. */
  hangRate?: number;
  /**
   * Refuse connections: the listening socket is closed (clients get `ECONNREFUSED`) for this many
   * milliseconds, or until the faults are cleared when `true`. Open connections are closed too.
   */
  down?: number | boolean;
  /** Which requests the faults apply to: `ingest` (`/v1/*`), `token` (`POST /token`) or `all` of both. Defaults to `ingest`. */
  target?: 'ingest' | 'token' | 'all';
  /** Seed for the random draws of the `*Rate` faults, for reproducible runs. Defaults to unseeded. */
  seed?: number;
}

/** What to do with one request. */
export type FaultAction =
  | { kind: 'none' }
  | {
      kind: 'status';
      status: number;
      retryAfter?: number;
      reason: 'fail_next' | 'fail_rate' | 'rate_limit';
    }
  | { kind: 'reset' }
  | { kind: 'hang' };

/** The decision for one request: a delay, then an action. */
export interface FaultDecision {
  latency: number;
  action: FaultAction;
}

/** Which class of request is being decided. */
export type FaultTarget = 'ingest' | 'token';

const DEFAULT_FAIL_STATUSES = [500, 502, 503];

/** Runtime control of injected faults: the same as `POST /admin/faults` and `DELETE /admin/faults`. */
export interface FaultController {
  /** Replaces the current faults (counts start over). Throws `CollectorError` `INVALID_FAULTS` on a bad spec. */
  set(spec: FaultSpec): void;
  /** Removes every fault; a `down` collector listens again. */
  clear(): void;
  /** The faults in force, with what is left of `failNext.count` and `rateLimit.count`. */
  current(): FaultSpec;
}

/** Holds the fault spec and draws per-request decisions from it. */
export class FaultState implements FaultController {
  #spec: FaultSpec = {};
  #random: () => number = Math.random;
  #downTimer: NodeJS.Timeout | undefined;
  readonly #onDown: (down: boolean) => void;

  /** @param onDown told when the collector must stop (`true`) or resume (`false`) listening. */
  constructor(onDown: (down: boolean) => void = () => {}) {
    this.#onDown = onDown;
  }

  set(spec: FaultSpec): void {
    const next = validateFaultSpec(spec);
    const wasDown = this.isDown;
    this.#clearDownTimer();
    this.#spec = next;
    this.#random = next.seed === undefined ? Math.random : seededRandom(next.seed);
    const down = next.down;
    if (down === true || (typeof down === 'number' && down > 0)) {
      if (typeof down === 'number') {
        this.#downTimer = setTimeout(() => {
          this.#downTimer = undefined;
          const { down: _down, ...rest } = this.#spec;
          this.#spec = rest;
          this.#onDown(false);
        }, down);
        this.#downTimer.unref();
      }
      if (!wasDown) this.#onDown(true);
    } else if (wasDown) {
      this.#onDown(false);
    }
  }

  clear(): void {
    this.set({});
  }

  current(): FaultSpec {
    return structuredClone(this.#spec);
  }

  /** Whether connections are being refused. */
  get isDown(): boolean {
    const down = this.#spec.down;
    return down === true || (typeof down === 'number' && down > 0);
  }

  /** Decides the fate of one request; counts of `failNext` and `rateLimit` are used up here. */
  decide(target: FaultTarget): FaultDecision {
    const spec = this.#spec;
    const applies = (spec.target ?? 'ingest') === 'all' || (spec.target ?? 'ingest') === target;
    if (!applies) return { latency: 0, action: { kind: 'none' } };
    return { latency: spec.latency ?? 0, action: this.#action(spec) };
  }

  /** Stops the `down` timer (on close). */
  dispose(): void {
    this.#clearDownTimer();
  }

  #action(spec: FaultSpec): FaultAction {
    const failNext = spec.failNext;
    if (failNext !== undefined && (failNext.count ?? 1) > 0) {
      failNext.count = (failNext.count ?? 1) - 1;
      if (failNext.count === 0) delete spec.failNext;
      return withRetryAfter(
        { kind: 'status', status: failNext.status, reason: 'fail_next' },
        failNext.retryAfter,
      );
    }
    const rateLimit = spec.rateLimit;
    if (rateLimit !== undefined) {
      const retryAfter = rateLimit.retryAfter ?? 1;
      if (rateLimit.count !== undefined) {
        if (rateLimit.count > 0) {
          rateLimit.count -= 1;
          if (rateLimit.count === 0) delete spec.rateLimit;
          return { kind: 'status', status: 429, retryAfter, reason: 'rate_limit' };
        }
      } else if (this.#draw(rateLimit.rate ?? 1)) {
        return { kind: 'status', status: 429, retryAfter, reason: 'rate_limit' };
      }
    }
    if (this.#draw(spec.resetRate)) return { kind: 'reset' };
    if (this.#draw(spec.hangRate)) return { kind: 'hang' };
    if (this.#draw(spec.failRate)) {
      const statuses = spec.failStatuses ?? DEFAULT_FAIL_STATUSES;
      const status = statuses[Math.floor(this.#random() * statuses.length)] ?? 500;
      return { kind: 'status', status, reason: 'fail_rate' };
    }
    return { kind: 'none' };
  }

  #draw(rate: number | undefined): boolean {
    if (rate === undefined || rate <= 0) return false;
    return rate >= 1 || this.#random() < rate;
  }

  #clearDownTimer(): void {
    if (this.#downTimer !== undefined) clearTimeout(this.#downTimer);
    this.#downTimer = undefined;
  }
}

function withRetryAfter(
  action: Extract<FaultAction, { kind: 'status' }>,
  retryAfter: number | undefined,
): FaultAction {
  return retryAfter === undefined ? action : { ...action, retryAfter };
}

/** Checks an untrusted spec (e.g. a `POST /admin/faults` body) and returns a clean copy. */
export function validateFaultSpec(input: unknown): FaultSpec {
  if (!isObject(input)) throw invalid('the fault spec must be a JSON object');
  const known = new Set([
    'failNext',
    'failRate',
    'failStatuses',
    'rateLimit',
    'latency',
    'resetRate',
    'hangRate',
    'down',
    'target',
    'seed',
  ]);
  for (const key of Object.keys(input)) {
    if (!known.has(key)) throw invalid(`unknown fault "${key}"; known: ${[...known].join(', ')}`);
  }
  const spec: FaultSpec = {};
  if (input.failNext !== undefined) {
    const f = input.failNext;
    if (!isObject(f)) throw invalid('failNext must be an object { status, count?, retryAfter? }');
    spec.failNext = { status: status(f.status, 'failNext.status') };
    if (f.count !== undefined) spec.failNext.count = count(f.count, 'failNext.count');
    if (f.retryAfter !== undefined)
      spec.failNext.retryAfter = seconds(f.retryAfter, 'failNext.retryAfter');
  }
  if (input.failRate !== undefined) spec.failRate = rate(input.failRate, 'failRate');
  if (input.failStatuses !== undefined) {
    if (!Array.isArray(input.failStatuses) || input.failStatuses.length === 0) {
      throw invalid('failStatuses must be a non-empty array of HTTP statuses');
    }
    spec.failStatuses = input.failStatuses.map((s, i) => status(s, `failStatuses[${i}]`));
  }
  if (input.rateLimit !== undefined) {
    const r = input.rateLimit;
    if (!isObject(r)) throw invalid('rateLimit must be an object { rate?, count?, retryAfter? }');
    spec.rateLimit = {};
    if (r.rate !== undefined) spec.rateLimit.rate = rate(r.rate, 'rateLimit.rate');
    if (r.count !== undefined) spec.rateLimit.count = count(r.count, 'rateLimit.count');
    if (r.retryAfter !== undefined)
      spec.rateLimit.retryAfter = seconds(r.retryAfter, 'rateLimit.retryAfter');
  }
  if (input.latency !== undefined) spec.latency = milliseconds(input.latency, 'latency');
  if (input.resetRate !== undefined) spec.resetRate = rate(input.resetRate, 'resetRate');
  if (input.hangRate !== undefined) spec.hangRate = rate(input.hangRate, 'hangRate');
  if (input.down !== undefined) {
    if (typeof input.down === 'boolean') spec.down = input.down;
    else spec.down = milliseconds(input.down, 'down');
  }
  if (input.target !== undefined) {
    if (input.target !== 'ingest' && input.target !== 'token' && input.target !== 'all') {
      throw invalid('target must be "ingest", "token" or "all"');
    }
    spec.target = input.target;
  }
  if (input.seed !== undefined) {
    if (typeof input.seed !== 'number' || !Number.isInteger(input.seed))
      throw invalid('seed must be an integer');
    spec.seed = input.seed;
  }
  return spec;
}

function invalid(message: string): CollectorError {
  return new CollectorError('INVALID_FAULTS', `Invalid faults: ${message}.`);
}

function status(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 100 || value > 599) {
    throw invalid(`${name} must be an HTTP status (100..599), got ${JSON.stringify(value)}`);
  }
  return value;
}

function rate(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw invalid(`${name} must be a share between 0 and 1, got ${JSON.stringify(value)}`);
  }
  return value;
}

function count(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw invalid(`${name} must be a whole number ≥ 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

function seconds(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(value >= 0)) {
    throw invalid(`${name} must be a number of seconds ≥ 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

function milliseconds(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(value >= 0) || value > 3_600_000) {
    throw invalid(
      `${name} must be milliseconds between 0 and 3600000, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

// mulberry32: small, fast and good enough for picking which requests fail.
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
