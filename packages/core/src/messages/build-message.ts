import { ValidationError, describeValue } from '../errors.js';
import { LIBRARY } from '../version.js';
import { scopeAnonymousId, type RequestScope } from '../context/request-scope.js';
import { normalizeTimestamp } from './timestamp.js';
import type { MessageContext, MessageType, WireMessage } from './types.js';

/** Everything a call may carry, in object form, before validation. */
export interface RawMessage {
  userId?: unknown;
  anonymousId?: unknown;
  previousId?: unknown;
  groupId?: unknown;
  event?: unknown;
  name?: unknown;
  category?: unknown;
  properties?: unknown;
  traits?: unknown;
  context?: unknown;
  timestamp?: unknown;
  integrations?: unknown;
  messageId?: unknown;
}

/** Injected so tests and runtimes can fix the clock and the id source. */
export interface MessageEnvironment {
  /** The current time as ISO 8601 text. */
  now(): string;
  uuid(): string;
}

/**
 * Validates a call and builds the message that goes on the wire. Throws a `ValidationError` that
 * names the method, the field, the rule and what was received; the client turns it into `false`.
 */
export function buildMessage(
  type: MessageType,
  raw: RawMessage,
  scope: RequestScope | undefined,
  env: MessageEnvironment,
): WireMessage {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ValidationError(
      'message',
      `${type}: the message must be an object, received ${describeValue(raw)}`,
    );
  }
  const messageId =
    raw.messageId === undefined ? env.uuid() : requireString(type, 'messageId', raw.messageId);
  const message: WireMessage = {
    type,
    messageId,
    timestamp:
      raw.timestamp === undefined
        ? env.now()
        : normalizeTimestamp(type, raw.timestamp, () => env.now()),
    context: buildContext(type, raw.context, scope),
  };

  if (type === 'alias') {
    message.previousId = requireId(type, 'previousId', raw.previousId);
    message.userId = requireId(type, 'userId', raw.userId);
    const anonymousId = nonBlankId(type, 'anonymousId', raw.anonymousId);
    if (anonymousId !== undefined) message.anonymousId = anonymousId;
  } else {
    // An empty id identifies no one: Segment drops such a message inside a 200, so an explicit
    // blank id is refused, not sent beside the other one. A request scope's blank id is absent.
    const userId =
      nonBlankId(type, 'userId', raw.userId) ??
      presentId(optionalId(type, 'userId', scope?.userId?.()));
    // A request scope may mint its anonymous id lazily: only a call without a user id needs one.
    const anonymousId =
      nonBlankId(type, 'anonymousId', raw.anonymousId) ??
      presentId(optionalId(type, 'anonymousId', scopeAnonymousId(scope, userId === undefined)));
    if (userId === undefined && anonymousId === undefined) {
      throw new ValidationError(
        'userId',
        `${type}: "userId" or "anonymousId" is required, received ${describeValue(raw.userId)} and ${describeValue(raw.anonymousId)}`,
        'VALIDATION_FAILED',
        true,
      );
    }
    if (userId !== undefined) message.userId = userId;
    if (anonymousId !== undefined) message.anonymousId = anonymousId;
  }

  switch (type) {
    case 'track':
      if (typeof raw.event !== 'string' || raw.event.trim() === '') {
        throw new ValidationError(
          'event',
          `track: "event" must be a non-empty string (not only whitespace), received ${describeValue(raw.event)}`,
        );
      }
      message.event = raw.event;
      message.properties = optionalObject(type, 'properties', raw.properties) ?? {};
      break;
    case 'page':
    case 'screen': {
      const name = optionalString(type, 'name', raw.name);
      const category = optionalString(type, 'category', raw.category);
      if (name !== undefined) message.name = name;
      if (category !== undefined) message.category = category;
      message.properties = optionalObject(type, 'properties', raw.properties) ?? {};
      break;
    }
    case 'identify':
      message.traits = optionalObject(type, 'traits', raw.traits) ?? {};
      break;
    case 'group':
      message.groupId = requireId(type, 'groupId', raw.groupId);
      message.traits = optionalObject(type, 'traits', raw.traits) ?? {};
      break;
    case 'alias':
      break;
  }

  const integrations = optionalObject(type, 'integrations', raw.integrations);
  if (integrations !== undefined)
    message.integrations = integrations as WireMessage['integrations'];
  return message;
}

function buildContext(
  type: MessageType,
  value: unknown,
  scope: RequestScope | undefined,
): MessageContext {
  const explicit = optionalObject(type, 'context', value);
  const scoped = scope?.context;
  if (scoped === undefined) return { ...explicit, library: LIBRARY };
  if (explicit === undefined) return { ...scoped, library: LIBRARY };
  const merged: MessageContext = { ...scoped };
  for (const key of Object.keys(explicit)) {
    const mine = explicit[key];
    const theirs = scoped[key];
    // One level deep, so an explicit `page.title` keeps the request's `page.url`.
    merged[key] = isPlainObject(mine) && isPlainObject(theirs) ? { ...theirs, ...mine } : mine;
  }
  merged.library = LIBRARY;
  return merged;
}

function requireId(type: MessageType, field: string, value: unknown): string {
  const id = optionalId(type, field, value);
  if (id === undefined || id.trim() === '') {
    throw new ValidationError(
      field,
      `${type}: "${field}" is required (a string, not empty or only whitespace, or a number), received ${describeValue(value)}`,
    );
  }
  return id;
}

/** An optional id the caller gave: absent is fine, blank (empty or only whitespace) is refused. */
function nonBlankId(type: MessageType, field: string, value: unknown): string | undefined {
  const id = optionalId(type, field, value);
  if (id !== undefined && id.trim() === '') {
    throw new ValidationError(
      field,
      `${type}: "${field}" must not be empty or only whitespace (omit it instead), received ${describeValue(value)}`,
    );
  }
  return id;
}

const presentId = (id: string | undefined): string | undefined =>
  id === undefined || id.trim() === '' ? undefined : id;

function optionalId(type: MessageType, field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Exact decimal: 157963456373623802 must not become "1.5796345637362381e+17".
    return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  }
  throw new ValidationError(
    field,
    `${type}: "${field}" must be a string or a finite number, received ${describeValue(value)}`,
  );
}

function requireString(type: MessageType, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(
      field,
      `${type}: "${field}" must be a non-empty string, received ${describeValue(value)}`,
    );
  }
  return value;
}

function optionalString(type: MessageType, field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new ValidationError(
      field,
      `${type}: "${field}" must be a string, received ${describeValue(value)}`,
    );
  }
  return value;
}

function optionalObject(
  type: MessageType,
  field: string,
  value: unknown,
): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    throw new ValidationError(
      field,
      `${type}: "${field}" must be a plain object, received ${describeValue(value)}`,
    );
  }
  return value;
}

/** An object literal (or a null-prototype object): not an array, a Map or a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
