import { afterEach, describe, expect, it, vi } from 'vitest';
import { CollectorError } from './collector-error.js';
import { FaultState, validateFaultSpec } from './fault-controller.js';

const actions = (state: FaultState, n: number) =>
  Array.from({ length: n }, () => {
    const { action } = state.decide('ingest');
    return action.kind === 'status' ? action.status : action.kind;
  });

describe('FaultState', () => {
  afterEach(() => vi.useRealTimers());

  it('answers the next N requests with the fixed status, then lets requests through', () => {
    const state = new FaultState();
    state.set({ failNext: { status: 503, count: 2 } });
    expect(actions(state, 3)).toEqual([503, 503, 'none']);
    expect(state.current()).toEqual({});
  });

  it('counts down what is left of failNext in current()', () => {
    const state = new FaultState();
    state.set({ failNext: { status: 500, count: 3 } });
    state.decide('ingest');
    expect(state.current()).toEqual({ failNext: { status: 500, count: 2 } });
  });

  it('answers 429 with the Retry-After seconds for the next count of requests', () => {
    const state = new FaultState();
    state.set({ rateLimit: { count: 1, retryAfter: 3 } });
    expect(state.decide('ingest').action).toEqual({
      kind: 'status',
      status: 429,
      retryAfter: 3,
      reason: 'rate_limit',
    });
    expect(state.decide('ingest').action).toEqual({ kind: 'none' });
  });

  it('fails about the configured share of requests with statuses from the list, reproducibly with a seed', () => {
    const state = new FaultState();
    state.set({ failRate: 0.3, failStatuses: [502, 504], seed: 42 });
    const first = actions(state, 400);
    const failed = first.filter((a) => a !== 'none');
    expect(failed.length).toBeGreaterThan(80);
    expect(failed.length).toBeLessThan(160);
    expect(new Set(failed)).toEqual(new Set([502, 504]));
    state.set({ failRate: 0.3, failStatuses: [502, 504], seed: 42 });
    expect(actions(state, 400)).toEqual(first);
  });

  it('resets or hangs every request at rate 1 and adds the latency', () => {
    const state = new FaultState();
    state.set({ resetRate: 1, latency: 250 });
    expect(state.decide('ingest')).toEqual({ latency: 250, action: { kind: 'reset' } });
    state.set({ hangRate: 1 });
    expect(state.decide('ingest')).toEqual({ latency: 0, action: { kind: 'hang' } });
  });

  it('applies faults only to their target', () => {
    const state = new FaultState();
    state.set({ failNext: { status: 500 }, target: 'token' });
    expect(state.decide('ingest').action.kind).toBe('none');
    expect(state.decide('token').action).toMatchObject({ kind: 'status', status: 500 });
    state.set({ failRate: 1, target: 'all' });
    expect(state.decide('ingest').action.kind).toBe('status');
    expect(state.decide('token').action.kind).toBe('status');
  });

  it('goes down for the given period and comes back up by itself', () => {
    vi.useFakeTimers();
    const changes: boolean[] = [];
    const state = new FaultState((down) => changes.push(down));
    state.set({ down: 1000 });
    expect(state.isDown).toBe(true);
    vi.advanceTimersByTime(999);
    expect(changes).toEqual([true]);
    vi.advanceTimersByTime(1);
    expect(changes).toEqual([true, false]);
    expect(state.isDown).toBe(false);
    expect(state.current()).toEqual({});
  });

  it('stays down until cleared when down is true', () => {
    const changes: boolean[] = [];
    const state = new FaultState((down) => changes.push(down));
    state.set({ down: true });
    state.set({ down: true, latency: 5 });
    expect(changes).toEqual([true]);
    state.clear();
    expect(changes).toEqual([true, false]);
  });
});

describe('validateFaultSpec', () => {
  it('returns a clean copy of a valid spec', () => {
    expect(
      validateFaultSpec({ failRate: 0.5, failStatuses: [500], latency: 10, target: 'all' }),
    ).toEqual({
      failRate: 0.5,
      failStatuses: [500],
      latency: 10,
      target: 'all',
    });
  });

  it('rejects unknown faults, bad rates and bad statuses with INVALID_FAULTS naming the field', () => {
    const error = (input: unknown) => {
      try {
        validateFaultSpec(input);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    expect(error({ failrate: 1 })).toBeInstanceOf(CollectorError);
    expect(error({ failrate: 1 })).toMatchObject({
      code: 'INVALID_FAULTS',
      message: expect.stringContaining('unknown fault "failrate"'),
    });
    expect(error({ failRate: 2 })).toMatchObject({
      message: expect.stringContaining('failRate must be a share'),
    });
    expect(error({ failNext: { status: 99 } })).toMatchObject({
      message: expect.stringContaining('failNext.status'),
    });
    expect(error({ failStatuses: [] })).toMatchObject({
      message: expect.stringContaining('failStatuses'),
    });
    expect(error({ latency: -1 })).toMatchObject({ message: expect.stringContaining('latency') });
    expect(error({ target: 'admin' })).toMatchObject({
      message: expect.stringContaining('target'),
    });
    expect(error(null)).toMatchObject({ code: 'INVALID_FAULTS' });
  });
});
