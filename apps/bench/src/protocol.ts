/** What the orchestrator and its child processes say to each other over the IPC channel. */

export const SDK_NAMES = ['tributary', 'segment', 'posthog'] as const;
export type SdkName = (typeof SDK_NAMES)[number];

/** `defaults`: each SDK as installed. `tuned`: batches of 100 and a queue cap above the burst. */
export type ConfigName = 'defaults' | 'tuned';

/** `undefined` keeps the SDK's own default (PostHog compresses by default, the others do not). */
export type GzipChoice = boolean | undefined;

export interface SdkSpec {
  sdk: SdkName;
  config: ConfigName;
  gzip: GzipChoice;
  /** Origin of the sink (or of a closed port), e.g. `http://127.0.0.1:43120`. */
  host: string;
  /** Events the run offers; the tuned queue cap is set above it. */
  events: number;
}

export type WorkerTask =
  | { kind: 'call-cost'; spec: SdkSpec }
  | { kind: 'delivered'; spec: SdkSpec; mode: 'burst' | 'paced'; chunk: number }
  | {
      kind: 'wire';
      host: string;
      events: number;
      variant: 'preserialized' | 'stringify';
      connections: number;
    }
  | {
      kind: 'dead';
      spec: SdkSpec;
      durationMs: number;
      closeTimeoutMs: number;
      sampleEveryMs: number;
    };

/** The frameworks of the per-request scenarios; `express5` is also scenario 5's (with the peers). */
export const FRAMEWORKS = ['express5', 'express4', 'nest-express', 'nest-fastify', 'next'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/**
 * One app process. `tributary`: through the framework's adapter (Express middleware, Next.js
 * `withAnalytics`); `tributary-track` / `tributary-service`: NestJS `@Track()` / `AnalyticsService`;
 * `tributary-core`: the core client called by hand; `baseline`: the same app without analytics;
 * `baseline-als`: the baseline plus one `AsyncLocalStorage.run` per request and nothing else, what
 * the runtime charges any request context that follows awaits (Express and NestJS apps only);
 * `ideal-client`: the wire limit's stringify-at-send client called by hand (Express 5 only), the
 * least any client costs a request to deliver its event.
 */
export interface AppSpec {
  framework: Framework;
  variant:
    | 'baseline'
    | 'baseline-als'
    | 'ideal-client'
    | 'tributary'
    | 'tributary-track'
    | 'tributary-service'
    | 'tributary-core'
    | 'segment'
    | 'posthog';
  host: string;
}

/** Any message carrying a request id expects one reply with the same id. */
export interface Envelope {
  id?: number;
  type: string;
  [key: string]: unknown;
}

export interface SinkStats {
  requests: number;
  connections: number;
  distinct: number;
  duplicates: number;
  bodyBytes: number;
  gzipRequests: number;
  /** Wall clock (ms since epoch) of the first request and of the last new distinct event. */
  firstAt: number;
  lastNewAt: number;
  cpuMicros: number;
}
