/** A JSON-like object of properties or traits. Dates, BigInts, Maps and Sets are converted. */
export type Properties = Record<string, unknown>;

/** The kinds of Segment calls. */
export type MessageType = 'identify' | 'track' | 'page' | 'screen' | 'group' | 'alias';

/** An identifier: strings are sent as is, numbers as their exact decimal string. */
export type Id = string | number | bigint;

/**
 * Segment's `context` object. Any key is allowed; the common ones are typed.
 * @see https://segment.com/docs/connections/spec/common/#context
 */
export interface MessageContext {
  ip?: string;
  userAgent?: string;
  locale?: string;
  page?: { url?: string; path?: string; search?: string; referrer?: string; title?: string };
  requestId?: string;
  library?: { name: string; version: string };
  [key: string]: unknown;
}

/** Destination selection: `{ All: false, Mixpanel: true }`. */
export type Integrations = Record<string, boolean | Record<string, unknown>>;

/** Fields every call accepts, in the object form and as the `options` of the positional form. */
export interface CommonFields {
  /** Defaults to the request scope's anonymous id, if any. */
  anonymousId?: Id;
  context?: MessageContext;
  /** When the event happened. Defaults to the time of the call. */
  timestamp?: Date | string;
  integrations?: Integrations;
  /** Defaults to a random UUID v4. */
  messageId?: string;
}

/** The options argument of the positional form (Python's keyword arguments). */
export type CallOptions = CommonFields;

/** Identity: a user id or an anonymous id (one is required at run time). */
export interface IdentityFields extends CommonFields {
  /** Defaults to the request scope's user id, if any. */
  userId?: Id;
}

export interface IdentifyMessage extends IdentityFields {
  traits?: Properties;
}

export interface TrackMessage<
  TEvent extends string = string,
  TProps = Properties,
> extends IdentityFields {
  event: TEvent;
  properties?: TProps;
}

export interface PageMessage extends IdentityFields {
  name?: string;
  category?: string;
  properties?: Properties;
}

export type ScreenMessage = PageMessage;

export interface GroupMessage extends IdentityFields {
  groupId: Id;
  traits?: Properties;
}

export interface AliasMessage extends CommonFields {
  previousId: Id;
  userId: Id;
}

/** A message as it goes on the wire (after normalization). */
export interface WireMessage {
  type: MessageType;
  messageId: string;
  timestamp: string;
  userId?: string;
  anonymousId?: string;
  event?: string;
  name?: string;
  category?: string;
  groupId?: string;
  previousId?: string;
  properties?: Properties;
  traits?: Properties;
  context: MessageContext;
  integrations?: Integrations;
}

/**
 * A tracking plan: event names mapped to their property types.
 * @example
 * type Plan = { 'Order Completed': { orderId: string; total: number } };
 * const analytics = new Analytics<Plan>({ writeKey });
 */
export type TrackingPlan = Record<string, Properties>;

/** The default plan: any event name, any properties. */
export type AnyPlan = Record<string, Properties>;
