import type { Properties } from '../messages/types.js';

/** The default name of automatic request events. */
export const DEFAULT_REQUEST_EVENT = 'Request Completed';

/** The default name of automatic error events. */
export const DEFAULT_ERROR_EVENT = 'Server Error';

/** What a request event records: the same properties in every adapter. */
export interface RequestEventFacts {
  method: string;
  /** The route template (`/products/:id`), or `undefined` when no route matched. */
  route: string | undefined;
  status: number;
  /** Milliseconds from the start of the request to the response. */
  duration: number;
}

/** The properties of a request event: `method`, `route` (or `null`), `status`, `duration`. */
export function requestEventProperties(facts: RequestEventFacts): Properties {
  return {
    method: facts.method,
    route: facts.route ?? null,
    status: facts.status,
    duration: Math.round(facts.duration * 1000) / 1000,
  };
}

/** The HTTP status an error carries (`status` or `statusCode`), if any. */
export function errorStatus(error: unknown): number | undefined {
  const { status, statusCode } = (error ?? {}) as { status?: unknown; statusCode?: unknown };
  const value = status ?? statusCode;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  // NestJS's HttpException keeps its status behind a method.
  const getStatus = (error as { getStatus?: unknown } | null)?.getStatus;
  if (typeof getStatus === 'function') {
    const got: unknown = getStatus.call(error);
    if (typeof got === 'number' && Number.isInteger(got)) return got;
  }
  return undefined;
}

/**
 * Whether an error is worth an event by default: no status, or 500 and above. Expected client
 * errors (a 404, a failed validation) are not.
 */
export function isServerError(error: unknown): boolean {
  const status = errorStatus(error);
  return status === undefined || status >= 500;
}

/**
 * The properties of an error event: `name`, `message` (at most 200 characters), `status`,
 * `method` and `route` (the template, or `null`). Never the stack or the request body.
 */
export function errorEventProperties(
  error: unknown,
  request: { method: string | undefined; route: string | undefined },
): Properties {
  const { name, message } =
    error instanceof Error ? error : { name: typeof error, message: String(error) };
  return {
    name,
    message: message.slice(0, 200),
    status: errorStatus(error) ?? 500,
    method: request.method ?? null,
    route: request.route ?? null,
  };
}
