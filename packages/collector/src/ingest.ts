import { randomUUID } from 'node:crypto';
import type { NewEvent } from './event-store.js';

/** Segment rejects a message over 32 KB with a 400. */
export const MAX_MESSAGE_BYTES = 32 * 1024;
/** Segment rejects a request body over 500 KB with a 400. */
export const MAX_REQUEST_BYTES = 500 * 1024;

/** The message types of Segment's spec. */
export const MESSAGE_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** An ingestion endpoint: the batch ones (`/v1/batch`, `/v1/import`) or one per message type. */
export type IngestEndpoint = 'batch' | 'import' | MessageType;

/** Why a whole request was refused, answered as `{ success: false, code, message }`. */
export interface RequestProblem {
  status: number;
  code: string;
  message: string;
}

/** Why one message of an accepted request was not stored; reported in the answer's `rejected`. */
export interface MessageProblem {
  index: number;
  messageId?: string;
  code: string;
  message: string;
}

/** The envelope and messages of an ingestion body. */
export interface ParsedBody {
  messages: unknown[];
  writeKey?: string;
  sentAt?: string;
}

/** Maps a `/v1/...` path onto its endpoint, or `undefined` when it is not one. */
export function ingestEndpoint(pathname: string): IngestEndpoint | undefined {
  const match = /^\/v1\/([a-z]+)\/?$/.exec(pathname);
  const name = match?.[1];
  if (name === 'batch' || name === 'import') return name;
  return MESSAGE_TYPES.find((t) => t === name);
}

/** Reads the envelope: `{ batch: [...] }` for batch endpoints, the message itself for single calls. */
export function parseBody(endpoint: IngestEndpoint, json: unknown): ParsedBody | RequestProblem {
  if (!isObject(json)) {
    return { status: 400, code: 'invalid_request', message: 'The body must be a JSON object.' };
  }
  const writeKey = typeof json.writeKey === 'string' ? json.writeKey : undefined;
  const sentAt = typeof json.sentAt === 'string' ? json.sentAt : undefined;
  if (endpoint === 'batch' || endpoint === 'import') {
    if (!Array.isArray(json.batch)) {
      return {
        status: 400,
        code: 'invalid_request',
        message: 'The body must have a "batch" array of messages.',
      };
    }
    return { messages: json.batch, writeKey, sentAt };
  }
  // A single call's body is the message; its writeKey is envelope, and the path names its type.
  const { writeKey: _key, ...message } = json;
  if (message.type === undefined) message.type = endpoint;
  else if (message.type !== endpoint) {
    return {
      status: 400,
      code: 'invalid_request',
      message: `The message type ${JSON.stringify(message.type)} does not match the endpoint /v1/${endpoint}.`,
    };
  }
  return { messages: [message], writeKey, sentAt };
}

/** The first message over {@link MAX_MESSAGE_BYTES}, as a request problem (Segment refuses the whole request). */
export function oversizedMessage(messages: unknown[]): RequestProblem | undefined {
  for (const [index, message] of messages.entries()) {
    const bytes = Buffer.byteLength(JSON.stringify(message) ?? '');
    if (bytes > MAX_MESSAGE_BYTES) {
      return {
        status: 400,
        code: 'message_too_large',
        message: `Message ${index} is ${bytes} bytes; the limit is ${MAX_MESSAGE_BYTES} bytes (32 KB) per message.`,
      };
    }
  }
  return undefined;
}

/** What is wrong with one message, or `undefined` when it can be stored. */
export function checkMessage(message: unknown): Omit<MessageProblem, 'index'> | undefined {
  if (!isObject(message))
    return { code: 'invalid_message', message: 'A message must be an object.' };
  const messageId = typeof message.messageId === 'string' ? message.messageId : undefined;
  const problem = (code: string, text: string) => ({
    code,
    message: text,
    ...(messageId ? { messageId } : {}),
  });
  if (message.messageId !== undefined && typeof message.messageId !== 'string') {
    return problem('invalid_message_id', 'messageId must be a string.');
  }
  const type = message.type;
  if (typeof type !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(type)) {
    return problem(
      'invalid_type',
      `type must be one of ${MESSAGE_TYPES.join(', ')}; got ${JSON.stringify(type) ?? 'nothing'}.`,
    );
  }
  if (!isId(message.userId) && !isId(message.anonymousId)) {
    return problem('no_user_anon_id', `A ${type} message needs a userId or an anonymousId.`);
  }
  if (type === 'track' && (typeof message.event !== 'string' || message.event === '')) {
    return problem('missing_event', 'A track message needs an event name.');
  }
  if (type === 'group' && !isId(message.groupId)) {
    return problem('missing_group_id', 'A group message needs a groupId.');
  }
  if (type === 'alias' && !isId(message.previousId)) {
    return problem('missing_previous_id', 'An alias message needs a previousId.');
  }
  return undefined;
}

/** Builds what the store keeps for a valid message: the message plus `receivedAt`, and its indexed fields. */
export function toNewEvent(
  message: Record<string, unknown>,
  meta: { receivedAt: string; writeKey?: string; sentAt?: string },
): NewEvent {
  const stamped = { ...message, receivedAt: meta.receivedAt };
  const event: NewEvent = {
    message: stamped,
    // Segment fills a missing messageId; so does the collector, in the index only.
    messageId:
      typeof message.messageId === 'string' ? message.messageId : `collector-${randomUUID()}`,
    type: String(message.type),
    receivedAt: meta.receivedAt,
  };
  if (typeof message.event === 'string') event.event = message.event;
  if (isId(message.userId)) event.userId = String(message.userId);
  if (isId(message.anonymousId)) event.anonymousId = String(message.anonymousId);
  if (meta.writeKey !== undefined) event.writeKey = meta.writeKey;
  if (meta.sentAt !== undefined) event.sentAt = meta.sentAt;
  return event;
}

function isId(value: unknown): boolean {
  return (
    (typeof value === 'string' && value !== '') ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
