/** Lets the process exit while `timer` is pending (a no-op where timers have no `unref`). */
export function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/** A signal that aborts after `ms` or when `parent` aborts. */
export interface Deadline {
  signal: AbortSignal;
  /** Whether it was the `ms` that ran out (not the parent). */
  timedOut: boolean;
  /** Stops the timer and detaches from `parent`; call once the guarded work is done. */
  clear: () => void;
}

/** Creates a {@link Deadline}; `reason` builds the abort reason when the time runs out. */
export function timeoutSignal(parent: AbortSignal, ms: number, reason: () => Error): Deadline {
  const controller = new AbortController();
  const onParent = () => controller.abort(parent.reason);
  const deadline: Deadline = { signal: controller.signal, timedOut: false, clear: () => undefined };
  const timer = unref(
    setTimeout(() => {
      deadline.timedOut = true;
      controller.abort(reason());
    }, ms),
  );
  parent.addEventListener('abort', onParent, { once: true });
  deadline.clear = () => {
    clearTimeout(timer);
    parent.removeEventListener('abort', onParent);
  };
  return deadline;
}

/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as `signal` aborts, whichever
 * comes first. A late settlement of `promise` is then ignored (and a late rejection handled).
 */
export function untilAborted<T>(value: T | Promise<T>, signal: AbortSignal): Promise<T> {
  const promise = Promise.resolve(value);
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes the transport's own rejection through unchanged
        reject(error);
      },
    );
  });
}
