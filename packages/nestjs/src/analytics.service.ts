import type { AnyAnalytics } from './options.js';
import { Inject, Injectable } from '@nestjs/common';
import {
  getCurrentScope,
  runWithScope,
  type CommonFields,
  type FlushOptions,
  type FlushReport,
  type Id,
  type Properties,
  type RequestScope,
} from '@tributary/core';
import { RequestAnalytics } from '@tributary/core/adapter';
import { ANALYTICS_CLIENT } from './tokens.js';

/** Per-call options of {@link AnalyticsService}: explicit values win over the request's. */
export interface AnalyticsCallOptions extends CommonFields {
  /** Defaults to the current request's user (`resolveUser`). */
  userId?: Id;
}

/**
 * The request-aware way to send events: a singleton, not REQUEST-scoped. Inside a request the
 * user id, anonymous id and context are filled from that request (entered by the module for
 * each request); explicit values win. Every method returns whether the call was accepted and never
 * throws.
 *
 * @example
 * @Injectable()
 * export class CartService {
 *   constructor(private readonly analytics: AnalyticsService) {}
 *   add(productId: string) {
 *     this.analytics.track('Product Added', { productId });
 *   }
 * }
 */
@Injectable()
export class AnalyticsService {
  constructor(@Inject(ANALYTICS_CLIENT) readonly client: AnyAnalytics) {}

  /** An action the user performed. */
  track(event: string, properties?: Properties, options?: AnalyticsCallOptions): boolean {
    // The common call passes no options: build one message object, not a default and a copy.
    return this.client.track(
      options === undefined ? { event, properties } : { ...options, event, properties },
    );
  }

  /** Who the user is: traits such as email and plan. */
  identify(traits?: Properties, options: AnalyticsCallOptions = {}): boolean {
    return this.client.identify({ ...options, traits });
  }

  /** A page view. */
  page(
    name?: string,
    properties?: Properties,
    options: AnalyticsCallOptions & { category?: string } = {},
  ): boolean {
    return this.client.page({ ...options, name, properties });
  }

  /** A screen view in a mobile app. */
  screen(
    name?: string,
    properties?: Properties,
    options: AnalyticsCallOptions & { category?: string } = {},
  ): boolean {
    return this.client.screen({ ...options, name, properties });
  }

  /** Associates the user with a group (a company, an account). */
  group(groupId: Id, traits?: Properties, options: AnalyticsCallOptions = {}): boolean {
    return this.client.group({ ...options, groupId, traits });
  }

  /**
   * Merges a previous identity into `userId`. `previousId` defaults to the request's anonymous id,
   * which is what a sign-up handler wants; with neither, there is nothing to merge and it returns
   * `false` without sending.
   */
  alias(userId: Id, previousId?: Id, options: CommonFields = {}): boolean {
    const previous = previousId ?? getCurrentScope()?.anonymousId;
    if (previous === undefined) return false;
    return this.client.alias({ ...options, userId, previousId: previous });
  }

  /**
   * The current request's client, as `@tributary/express` and `@tributary/next` hand it out: the
   * same methods (object and positional forms), the same defaults, usable after the request's
   * async scope has ended. Outside a request it is bound to nothing.
   * @example this.analytics.request().alias({ userId: user.id }); // previousId: the visitor's id
   */
  request(): RequestAnalytics {
    return new RequestAnalytics(this.client, getCurrentScope() ?? {});
  }

  /** Resolves once everything accepted so far is delivered or reported. Never rejects. */
  flush(options?: FlushOptions): Promise<FlushReport> {
    return this.client.flush(options);
  }

  /** Runs `fn` with identity and context defaults, as the module does for each request. */
  withScope<R>(scope: RequestScope, fn: () => R): R {
    return runWithScope(scope, fn);
  }
}
