import type { Analytics } from '@tributary/core';

/** The visitor the scripted journeys follow, from anonymous browsing to a paying team member. */
export interface Visitor {
  /** The id analytics.js would keep in the `ajs_anonymous_id` cookie. */
  anonymousId: string;
  /** The id the visitor gets at sign-up. */
  userId: string;
  email: string;
  /** The company they join. */
  groupId: string;
}

/** What every journey gets. */
export interface JourneyContext {
  /** A core client that delivers to the demo's collector. */
  analytics: Analytics;
  /** The collector's base URL: the `host` for a client a journey creates itself (e.g. inside an example app). */
  collectorUrl: string;
  /** The write key the collector accepts. */
  writeKey: string;
  visitor: Visitor;
  /** Prints one indented line under the journey's name. */
  log: (line: string) => void;
}

/**
 * One step of the demo. A journey through an example app starts the app with
 * `TRIBUTARY_HOST=context.collectorUrl` (or the app's equivalent), drives it over HTTP, waits
 * for it to flush, and stops it before returning.
 */
export interface Journey {
  name: string;
  /** One line saying what happens. */
  description: string;
  run(context: JourneyContext): Promise<void>;
}
