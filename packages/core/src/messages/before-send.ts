import { describeError, describeValue } from '../errors.js';
import type { WireMessage } from './types.js';

/**
 * Sees each message after it is built and before it is size-checked, serialized and queued.
 * Return the message (changed or not) to send it, or `null` to drop it. Runs synchronously, on
 * the caller's stack; it receives its own copy of the message as it would go on the wire (plain
 * JSON data), so changing it in place is safe.
 */
export type BeforeSend = (message: WireMessage) => WireMessage | null;

/** Resolves the `beforeSend` option to a list, adding a line to `problems` if it is not one. */
export function resolveBeforeSend(value: unknown, problems: string[]): readonly BeforeSend[] {
  if (value === undefined) return [];
  const hooks = Array.isArray(value) ? (value as unknown[]) : [value];
  const bad = hooks.findIndex((hook) => typeof hook !== 'function');
  if (bad !== -1) {
    problems.push(
      `"beforeSend" must be a function or an array of functions, received ${
        Array.isArray(value) ? `${describeValue(hooks[bad])} at index ${bad}` : describeValue(value)
      }`,
    );
    return [];
  }
  return hooks as BeforeSend[];
}

/** What the hooks decided: the message to send, a deliberate drop, or a failure. */
export type BeforeSendOutcome =
  | { kind: 'send'; message: WireMessage }
  | { kind: 'filtered'; hook: number }
  | { kind: 'failed'; hook: number; problem: string; cause: unknown };

/** Runs the hooks in order; each gets what the previous one returned. */
export function runBeforeSend(
  hooks: readonly BeforeSend[],
  message: WireMessage,
): BeforeSendOutcome {
  let current = message;
  for (let i = 0; i < hooks.length; i++) {
    let result: unknown;
    try {
      result = hooks[i]!(current);
    } catch (error) {
      return { kind: 'failed', hook: i, problem: `threw: ${describeError(error)}`, cause: error };
    }
    if (result === null) return { kind: 'filtered', hook: i };
    if (typeof result !== 'object' || Array.isArray(result) || result === undefined) {
      return {
        kind: 'failed',
        hook: i,
        problem: `must return the message or null, returned ${describeValue(result)}`,
        cause: undefined,
      };
    }
    if (typeof (result as { then?: unknown }).then === 'function') {
      return {
        kind: 'failed',
        hook: i,
        problem: 'returned a Promise; hooks run synchronously, on the caller’s stack',
        cause: undefined,
      };
    }
    current = result as WireMessage;
  }
  return { kind: 'send', message: current };
}
