/**
 * `@tributary/core/adapter`: the kit every framework adapter is built from. An adapter supplies
 * the facts its framework has about a request (headers, URL, socket address, how to set a
 * cookie) and maps its hooks onto these functions; the request model itself lives here, once.
 * Runtime-neutral: no `node:` imports.
 * @packageDocumentation
 */
export {
  headerReader,
  type HeaderReader,
  type HeaderSource,
  type RequestFacts,
} from './request-facts.js';
export {
  createRequestScope,
  hasIdentity,
  toId,
  type AdapterRequestScope,
  type ContextFields,
  type RequestScopeOptions,
} from './request-scope.js';
export {
  normalizeIp,
  resolveClientIp,
  type ClientIpOptions,
  type TrustProxy,
} from './client-ip.js';
export {
  anonymousIdCookieHeader,
  resolveAnonymousId,
  type AnonymousIdCookieOptions,
  type AnonymousIdOptions,
  type AnonymousIdResult,
} from './anonymous-id.js';
export {
  RequestAnalytics,
  type AnalyticsClient,
  type RequestAnalyticsOptions,
} from './request-analytics.js';
export {
  DEFAULT_ERROR_EVENT,
  DEFAULT_REQUEST_EVENT,
  errorEventProperties,
  errorStatus,
  isServerError,
  requestEventProperties,
  type RequestEventFacts,
} from './automatic-events.js';
export {
  DEFAULT_SHUTDOWN_TIMEOUT,
  registerShutdown,
  type ClosableClient,
  type ClosableServer,
  type ShutdownOptions,
} from './shutdown.js';
export { ANONYMOUS_ID_COOKIE, readAnonymousIdCookie } from '../context/anonymous-id.js';
export {
  currentEntryFacts,
  ENTRY_FACTS,
  enterScope,
  getCurrentScope,
  mergeScopes,
  runWithScope,
  type RequestScope,
  type ScopeWithEntryFacts,
} from '../context/request-scope.js';
