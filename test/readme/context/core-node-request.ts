// A plain Node HTTP handler around the excerpt: the client, the request and response, the app's handler.
declare const analytics: import('@tributary/core').Analytics;
declare const req: import('node:http').IncomingMessage & { user?: { id: string } };
declare const res: import('node:http').ServerResponse;
declare function handle(
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
): void;
