export { startCollector } from './start-collector.js';
export type {
  CollectorOptions,
  RunningCollector,
  WaitForEventsOptions,
} from './start-collector.js';
export type { StoredEvent, EventFilter } from './event-store.js';
export type { CollectorStats, RejectedRequest } from './collector-stats.js';
export type { FaultSpec, FaultController } from './fault-controller.js';
export type { OAuthOptions, TokenResponse } from './token-issuer.js';
export { DEFAULT_TOKEN_TTL_SECONDS } from './token-issuer.js';
export { CollectorError } from './collector-error.js';
export type { CollectorErrorCode } from './collector-error.js';
export { MAX_MESSAGE_BYTES, MAX_REQUEST_BYTES } from './ingest.js';
export { DEFAULT_PORT } from './cli-options.js';
