import { beforeEach, describe, expect, it, vi } from 'vitest';
import { deliverAfterResponse, resetAfterNotice } from './deliver-after-response.js';

const noEnv = () => undefined;
const flushSpy = () => vi.fn(() => Promise.resolve({ delivered: 1, failed: 0, pending: 0 }));
const throwingAfter = () => {
  throw new Error('`after` was called outside a request scope');
};

describe('deliverAfterResponse', () => {
  beforeEach(() => resetAfterNotice());

  it('hands the flush to an explicit waitUntil first (the proxy event)', () => {
    const flush = flushSpy();
    const waitUntil = vi.fn();
    const after = vi.fn();
    expect(deliverAfterResponse(flush, { waitUntil, after, globals: {}, env: noEnv })).toEqual({
      strategy: 'wait-until',
    });
    expect(waitUntil).toHaveBeenCalledWith(expect.any(Promise));
    expect(after).not.toHaveBeenCalled();
  });

  it("uses Next's after() in a request scope, flushing only when it runs after the response", async () => {
    const flush = flushSpy();
    let task: (() => Promise<unknown>) | undefined;
    const result = deliverAfterResponse(flush, {
      after: (t) => (task = t),
      globals: {},
      env: noEnv,
    });
    expect(result).toEqual({ strategy: 'after' });
    expect(flush).not.toHaveBeenCalled();
    await task!();
    expect(flush).toHaveBeenCalledOnce();
  });

  it("falls back to @next/request-context's waitUntil when after() is outside a request scope", () => {
    const waitUntil = vi.fn();
    const globals = { [Symbol.for('@next/request-context')]: { get: () => ({ waitUntil }) } };
    expect(
      deliverAfterResponse(flushSpy(), { after: throwingAfter, globals, env: noEnv }).strategy,
    ).toBe('request-context');
    expect(waitUntil).toHaveBeenCalledOnce();
  });

  it("uses Vercel's request context on Node as well as edge", () => {
    const waitUntil = vi.fn();
    const globals = { [Symbol.for('@vercel/request-context')]: { get: () => ({ waitUntil }) } };
    expect(
      deliverAfterResponse(flushSpy(), { after: undefined, globals, env: noEnv }).strategy,
    ).toBe('vercel');
    expect(waitUntil).toHaveBeenCalledOnce();
  });

  it("uses OpenNext Cloudflare's ctx.waitUntil, bound to its context", () => {
    const ctx = {
      calls: 0,
      waitUntil(this: { calls: number }, _promise: Promise<unknown>) {
        this.calls++;
      },
    };
    const globals = { [Symbol.for('__cloudflare-context__')]: { ctx } };
    expect(
      deliverAfterResponse(flushSpy(), { after: undefined, globals, env: noEnv }).strategy,
    ).toBe('cloudflare');
    expect(ctx.calls).toBe(1);
  });

  it('skips a platform whose waitUntil throws', () => {
    const globals = {
      [Symbol.for('@next/request-context')]: {
        get: () => ({
          waitUntil: () => {
            throw new Error('closed');
          },
        }),
      },
    };
    expect(
      deliverAfterResponse(flushSpy(), { after: undefined, globals, env: noEnv }).strategy,
    ).toBe('batch');
  });

  it('returns a promise to await on a serverless host with no keep-alive hook', async () => {
    const flush = flushSpy();
    const env = (name: string) => (name === 'AWS_LAMBDA_FUNCTION_NAME' ? 'fn' : undefined);
    const result = deliverAfterResponse(flush, { after: throwingAfter, globals: {}, env });
    expect(result.strategy).toBe('await');
    await result.pending;
    expect(flush).toHaveBeenCalledOnce();
  });

  it('leaves delivery to batching on a long-running server', () => {
    const flush = flushSpy();
    expect(deliverAfterResponse(flush, { after: throwingAfter, globals: {}, env: noEnv })).toEqual({
      strategy: 'batch',
    });
    expect(flush).not.toHaveBeenCalled();
  });

  it("leaves delivery to the client's batching when it delivers, without calling after()", () => {
    const flush = flushSpy();
    const after = vi.fn();
    expect(deliverAfterResponse(flush, { batching: true, after, globals: {}, env: noEnv })).toEqual(
      { strategy: 'batch' },
    );
    expect(after).not.toHaveBeenCalled();
    expect(flush).not.toHaveBeenCalled();
  });

  it("leaves the proxy's flush to batching too when the client's batching delivers", () => {
    const waitUntil = vi.fn();
    expect(
      deliverAfterResponse(flushSpy(), { batching: true, waitUntil, globals: {}, env: noEnv })
        .strategy,
    ).toBe('batch');
    expect(waitUntil).not.toHaveBeenCalled();
  });

  it("finds the installed Next's after() when none is injected", () => {
    const warn = vi.fn();
    // Outside a request scope the real after() throws "outside a request scope": found, and quiet.
    const result = deliverAfterResponse(flushSpy(), { globals: {}, env: noEnv, warn });
    expect(result.strategy).toBe('batch');
    expect(warn).not.toHaveBeenCalled();
  });

  it('says once, naming the fallback, when after() cannot be used', () => {
    const warn = vi.fn();
    const disabled = () => {
      throw new Error(
        '`unstable_after` must be explicitly enabled by setting `experimental.after: true` in your next.config.js.',
      );
    };
    const env = (name: string) => (name === 'AWS_LAMBDA_FUNCTION_NAME' ? 'fn' : undefined);
    deliverAfterResponse(flushSpy(), { after: disabled, globals: {}, env, warn });
    deliverAfterResponse(flushSpy(), { after: undefined, globals: {}, env: noEnv, warn });
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]![0]).toMatch(
      /experimental\.after: true.*awaiting the flush before responding/,
    );
  });

  it('stays quiet when after() is merely outside a request scope', () => {
    const warn = vi.fn();
    deliverAfterResponse(flushSpy(), { after: throwingAfter, globals: {}, env: noEnv, warn });
    expect(warn).not.toHaveBeenCalled();
  });

  it('never lets a failing flush reject into the host', async () => {
    const flush = vi.fn(() => Promise.reject(new Error('network')));
    const env = (name: string) => (name === 'VERCEL' ? '1' : undefined);
    const { pending } = deliverAfterResponse(flush, { after: undefined, globals: {}, env });
    await expect(pending).resolves.toBeUndefined();
  });
});
