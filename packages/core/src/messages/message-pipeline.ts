import { AnalyticsError } from '../errors.js';
import { applyPrivacy } from '../privacy/apply-privacy.js';
import type { ResolvedPrivacy } from '../privacy/privacy-options.js';
import { runBeforeSend, type BeforeSend } from './before-send.js';
import { serializeMessage, serializeWireMessage } from './serialize.js';
import type { MessageType, WireMessage } from './types.js';

/** What goes on from the pipeline: a message and its JSON, a filtered drop, or a failure. */
export type PipelineResult =
  | { message: WireMessage; json: string }
  | { filtered: string }
  | { error: AnalyticsError; message: WireMessage };

/**
 * Privacy rules, then the `beforeSend` hooks, then serialization: everything between building a
 * message and checking its size. Privacy runs first so hooks (and anything they log) never see the
 * secrets it removes. Throws what `serializeMessage` throws.
 */
export function createMessagePipeline(options: {
  privacy: ResolvedPrivacy;
  beforeSend: readonly BeforeSend[];
}): (type: MessageType, message: WireMessage) => PipelineResult {
  const { privacy, beforeSend } = options;
  const scrub = privacy.ip !== 'keep' || privacy.names.size > 0 || privacy.referrer !== 'keep';
  return (type, built) => {
    if (scrub) applyPrivacy(built, privacy);
    const json = serializeWireMessage(built);
    if (beforeSend.length === 0) return { message: built, json };
    // A JSON copy: hooks get plain wire data of their own, and nothing they do reaches the caller.
    const outcome = runBeforeSend(beforeSend, JSON.parse(json) as WireMessage);
    switch (outcome.kind) {
      case 'send':
        return { message: outcome.message, json: serializeMessage(type, outcome.message) };
      case 'filtered':
        return { filtered: `${type}: dropped by beforeSend[${outcome.hook}]` };
      case 'failed':
        return {
          error: new AnalyticsError(
            'BEFORE_SEND_FAILED',
            `${type}: beforeSend[${outcome.hook}] ${outcome.problem}; the message was dropped, not sent unfiltered`,
            { cause: outcome.cause },
          ),
          message: built,
        };
    }
  };
}
