import type { ExecutionContext } from '@nestjs/common';
import { graphqlOperation } from './graphql-info.js';
import type { AnalyticsRequest } from './options.js';
import type { TrackInput } from './track.decorator.js';

/** What a `@Track()` callback reads about the handler call, for each transport. */
export function trackFacts(
  context: ExecutionContext,
  request: AnalyticsRequest | undefined,
  result: unknown,
  error: unknown,
): TrackInput {
  const args = context.getArgs();
  const type = context.getType<string>();
  const facts: TrackInput = {
    result,
    error,
    params: {},
    query: {},
    body: undefined,
    user: request?.user as unknown,
    request: undefined,
    args,
  };
  switch (type) {
    case 'http':
      facts.params = (request?.params as Record<string, string> | undefined) ?? {};
      facts.query = (request?.query as Record<string, unknown> | undefined) ?? {};
      facts.body = request?.body;
      facts.request = request;
      break;
    case 'graphql': {
      const graphql = graphqlOperation(args);
      facts.graphql = graphql;
      facts.body = graphql?.args;
      facts.request = request;
      break;
    }
    case 'ws':
      facts.body = context.switchToWs().getData<unknown>();
      break;
    case 'rpc':
      facts.body = context.switchToRpc().getData<unknown>();
      break;
  }
  return facts;
}
