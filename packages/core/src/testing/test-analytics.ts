import { RECORD } from '../analytics.js';
import { Analytics } from '../node-analytics.js';
import type { AnalyticsOptions } from '../options.js';
import type { AnyPlan, MessageType, TrackingPlan, WireMessage } from '../messages/types.js';
import type { AnalyticsError } from '../errors.js';

/** Options of {@link createTestAnalytics}: any client option except delivery. */
export type TestAnalyticsOptions = Omit<AnalyticsOptions, 'send' | 'transport' | 'writeKey'> & {
  writeKey?: string;
};

/** A client that records instead of sending, with helpers to find and assert what was tracked. */
export interface TestAnalytics<TPlan extends TrackingPlan = AnyPlan> extends Analytics<TPlan> {
  /** Every accepted message, as it would be sent, in call order. */
  readonly messages: readonly WireMessage[];
  /** Every rejected call's error, in call order. */
  readonly errors: readonly AnalyticsError[];
  /** Messages of one type. */
  ofType(type: MessageType): WireMessage[];
  /** Track messages, optionally only those of one event name. */
  tracked(event?: keyof TPlan & string): WireMessage[];
  /** Throws a readable error unless a track of `event` was recorded whose properties include `properties`. */
  expectTracked(event: keyof TPlan & string, properties?: Record<string, unknown>): WireMessage;
  /** Forget what was recorded. */
  reset(): void;
}

/**
 * Creates a {@link TestAnalytics}: validation, normalization and serialization run exactly as in
 * production; nothing leaves the process.
 * @example
 * const analytics = createTestAnalytics();
 * signUp(analytics, 'user-1');
 * analytics.expectTracked('Signed Up', { plan: 'free' });
 */
export function createTestAnalytics<TPlan extends TrackingPlan = AnyPlan>(
  options: TestAnalyticsOptions = {},
): TestAnalytics<TPlan> {
  const messages: WireMessage[] = [];
  const errors: AnalyticsError[] = [];
  const userOnError = options.onError;
  const client = new Analytics<TPlan>({
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    ...options,
    writeKey: options.writeKey ?? 'test-write-key',
    send: false,
    onError: (error, affected) => {
      errors.push(error);
      userOnError?.(error, affected);
    },
    [RECORD]: (message: WireMessage) => messages.push(message),
  } as AnalyticsOptions);
  const helpers = {
    messages,
    errors,
    ofType: (type: MessageType) => messages.filter((m) => m.type === type),
    tracked: (event?: string) =>
      messages.filter((m) => m.type === 'track' && (event === undefined || m.event === event)),
    expectTracked(event: string, properties?: Record<string, unknown>): WireMessage {
      const candidates = helpers.tracked(event);
      const match = candidates.find(
        (m) => properties === undefined || includes(m.properties ?? {}, properties),
      );
      if (match !== undefined) return match;
      const seen = helpers.tracked().map((m) => `${m.event} ${JSON.stringify(m.properties)}`);
      throw new Error(
        `expected a track of "${event}"${properties ? ` with ${JSON.stringify(properties)}` : ''}; recorded:\n  ${seen.join('\n  ') || '(no track calls)'}`,
      );
    },
    reset() {
      messages.length = 0;
      errors.length = 0;
    },
  };
  return Object.assign(client, helpers);
}

function includes(actual: Record<string, unknown>, expected: Record<string, unknown>): boolean {
  return Object.entries(expected).every(
    ([key, value]) => JSON.stringify(actual[key]) === JSON.stringify(value),
  );
}
