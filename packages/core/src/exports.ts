export type { DeliveryCallback, FlushOptions } from './analytics.js';
export type { DefaultClient, DefaultClientSettings } from './default-client.js';
export type { FlushReport } from './delivery/delivery.js';
export type { AnalyticsStats, DropReason } from './delivery/stats.js';
export {
  createFetchTransport,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from './delivery/transport.js';
export { isRetriableStatus, parseRetryAfter } from './delivery/retry-policy.js';
export {
  AnalyticsError,
  DeliveryError,
  ValidationError,
  type AnalyticsErrorCode,
} from './errors.js';
export type { Logger } from './logger.js';
export type { OutboxOptions, FileOutboxOptions, RedisOutboxOptions } from './outbox/outbox.js';
export {
  regions,
  oauthRegions,
  MAX_BATCH_BYTES,
  MAX_MESSAGE_BYTES,
  type AnalyticsOptions,
  type ErrorHandler,
  type OAuthOptions,
} from './options.js';
export {
  requestContextFromFetch,
  requestContextFromNode,
  parseLocale,
  type NodeRequestLike,
  type RequestContextOptions,
} from './context/request-context.js';
export { getCurrentScope, runWithScope, type RequestScope } from './context/request-scope.js';
export { readAnonymousIdCookie } from './context/anonymous-id.js';
export type * from './messages/types.js';
export type { BeforeSend } from './messages/before-send.js';
export type { PrivacyOptions } from './privacy/privacy-options.js';
export { DEFAULT_REDACTED_QUERY_PARAMS } from './privacy/redact-query.js';
export { VERSION } from './version.js';
