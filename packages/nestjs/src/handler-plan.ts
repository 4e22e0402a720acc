import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { SKIP_TRACKING_METADATA, TRACK_METADATA } from './tokens.js';
import type { TrackMetadata } from './track.decorator.js';

/** What the interceptor does for one handler, read from its metadata once. */
export interface HandlerPlan {
  /** `@SkipTracking()` on the handler or its class: no scope, no events. */
  readonly skip: boolean;
  /** The handler's `@Track()`s, in source order. */
  readonly tracks: readonly TrackMetadata[];
}

/**
 * Plans per handler, per class: decorators are applied when classes are defined, so a handler's
 * metadata never changes while the app serves, and reading it once saves two Reflector lookups
 * (and their arrays) per request. Keyed by class too, as one method can serve two controllers
 * that differ in a class-level `@SkipTracking()`.
 */
export class HandlerPlans {
  readonly #plans = new WeakMap<object, WeakMap<object, HandlerPlan>>();

  constructor(private readonly reflector: Reflector) {}

  of(context: ExecutionContext): HandlerPlan {
    const handler = context.getHandler() as object | undefined;
    const target = context.getClass() as object | undefined;
    if (!isKey(handler) || !isKey(target)) return this.#read(handler, target);
    let byHandler = this.#plans.get(target);
    if (byHandler === undefined) {
      byHandler = new WeakMap();
      this.#plans.set(target, byHandler);
    }
    let plan = byHandler.get(handler);
    if (plan === undefined) {
      plan = this.#read(handler, target);
      byHandler.set(handler, plan);
    }
    return plan;
  }

  #read(handler: object | undefined, target: object | undefined): HandlerPlan {
    const targets = [handler, target].filter(isKey) as Array<() => unknown>;
    const skip =
      this.reflector.getAllAndOverride<boolean | undefined>(SKIP_TRACKING_METADATA, targets) ===
      true;
    const tracks =
      handler === undefined
        ? []
        : (this.reflector.get<TrackMetadata[] | undefined>(
            TRACK_METADATA,
            handler as () => unknown,
          ) ?? []);
    return { skip, tracks };
  }
}

function isKey(value: unknown): value is object {
  return (typeof value === 'function' || typeof value === 'object') && value !== null;
}
