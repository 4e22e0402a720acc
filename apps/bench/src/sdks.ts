import type { AnalyticsOptions } from '@tributary/core';
import { EVENT_NAME } from './event.js';
import type { SdkSpec } from './protocol.js';

export const WRITE_KEY = 'bench-write-key';
export const POSTHOG_KEY = 'phc_bench_project_key';

/** The same few operations over the three SDKs, each used as its README says. */
export interface SdkHandle {
  track(userId: string, properties: Record<string, unknown>): void;
  flush(): Promise<void>;
  /** The SDK's own bounded shutdown: `close`, `closeAndFlush`, `shutdown`. */
  close(timeoutMs: number): Promise<void>;
  /** Events the SDK holds in memory (queued or in flight), from its own state. */
  held(): number;
  /** What the SDK itself reports: counters, drops. */
  report(): Record<string, unknown>;
  /** The settings actually passed, for the report. */
  settings: Record<string, unknown>;
}

/** Above any burst the harness offers, so "tuned" never drops by design. */
function tunedCap(events: number): number {
  return Math.max(10_000, events * 2);
}

/** Loads only the SDK under test, so a run's memory and startup carry no other SDK's code. */
export async function createSdk(spec: SdkSpec): Promise<SdkHandle> {
  switch (spec.sdk) {
    case 'tributary':
      return tributary(spec);
    case 'segment':
      return segment(spec);
    case 'posthog':
      return posthog(spec);
  }
}

async function tributary(spec: SdkSpec): Promise<SdkHandle> {
  const { Analytics: Tributary } = await import('@tributary/core');
  const settings: Partial<AnalyticsOptions> =
    spec.config === 'tuned'
      ? {
          flushAt: 100,
          maxQueueSize: tunedCap(spec.events),
          maxQueueBytes: 1024 * tunedCap(spec.events),
        }
      : {};
  if (spec.gzip !== undefined) settings.gzip = spec.gzip;
  const client = new Tributary({ writeKey: WRITE_KEY, host: spec.host, ...settings });
  return {
    track: (userId, properties) => {
      client.track(userId, EVENT_NAME, properties);
    },
    flush: async () => {
      await client.flush();
    },
    close: async (timeout) => {
      await client.close({ timeout });
    },
    held: () => {
      const s = client.stats();
      return s.queued + s.inFlightMessages;
    },
    report: () => ({ ...client.stats() }),
    settings,
  };
}

async function segment(spec: SdkSpec): Promise<SdkHandle> {
  const { Analytics: Segment } = await import('@segment/analytics-node');
  // No gzip and no queue cap in analytics-node: "tuned" only raises the batch size.
  const settings: Record<string, unknown> = spec.config === 'tuned' ? { flushAt: 100 } : {};
  const client = new Segment({ writeKey: WRITE_KEY, host: spec.host, ...settings });
  const pending = () => (client as unknown as { _pendingEvents: number })._pendingEvents;
  return {
    track: (userId, properties) => {
      client.track({ userId, event: EVENT_NAME, properties });
    },
    flush: () => client.flush(),
    close: (timeout) => client.closeAndFlush({ timeout }),
    held: pending,
    report: () => ({ pendingEvents: pending() }),
    settings,
  };
}

async function posthog(spec: SdkSpec): Promise<SdkHandle> {
  const { PostHog } = await import('posthog-node');
  const settings: Record<string, unknown> =
    spec.config === 'tuned'
      ? { flushAt: 100, maxBatchSize: 100, maxQueueSize: tunedCap(spec.events) }
      : {};
  if (spec.gzip !== undefined) settings.disableCompression = !spec.gzip;
  const client = new PostHog(POSTHOG_KEY, { host: spec.host, ...settings });
  const queued = () =>
    (
      client as unknown as { getPersistedProperty(key: string): unknown[] | undefined }
    ).getPersistedProperty('queue')?.length ?? 0;
  return {
    track: (userId, properties) => {
      client.capture({ distinctId: userId, event: EVENT_NAME, properties });
    },
    flush: () => client.flush(),
    close: (timeout) => client.shutdown(timeout),
    held: queued,
    report: () => ({ queued: queued() }),
    settings,
  };
}
