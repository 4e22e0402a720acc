import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startServingApp, type AppProcess } from '../app-process.js';
import { send, type Platform, type Reply } from '../nestjs/helpers.js';

export {
  anonymousCookie,
  startCollector,
  type RunningCollector,
  type StoredEvent,
} from '../nestjs/helpers.js';
export type { Platform };

const MAIN = fileURLToPath(
  new URL('../../apps/example-nestjs-graphql/dist/main.js', import.meta.url),
);

/** `apps/example-nestjs-graphql` in its own Node process: Apollo on Express or Mercurius on Fastify. */
export type GraphqlApi = AppProcess & {
  url: string;
  /** The TCP microservice's port. */
  tcpPort: number;
};

export async function startGraphqlApi(
  platform: Platform,
  collectorUrl: string,
  env: Record<string, string> = {},
): Promise<GraphqlApi> {
  const label = `example-nestjs-graphql (${platform})`;
  const app = await startServingApp(
    MAIN,
    {
      PLATFORM: platform,
      TRIBUTARY_HOST: collectorUrl,
      TRIBUTARY_WRITE_KEY: 'nest-graphql-key',
      ...env,
    },
    {
      label,
      buildHint: 'build the example first (cd apps/example-nestjs-graphql && npm run build)',
      timeout: 20_000,
    },
  );
  // The app prints the microservice's port before the line that says it listens.
  const tcp = /microservice on tcp:\/\/127\.0\.0\.1:(\d+)/.exec(app.stdout());
  if (tcp?.[1] === undefined) {
    app.child.kill('SIGKILL');
    throw new Error(`${label} did not print its microservice port; output:\n${app.output()}`);
  }
  return { ...app, tcpPort: Number(tcp[1]) };
}

/** One GraphQL operation, or a batch of them when `body` is an array. */
export interface Operation {
  query: string;
  operationName?: string;
  variables?: Record<string, unknown>;
}

/** POSTs `body` to `/graphql` and parses the JSON answer. */
export async function graphql(
  url: string,
  body: Operation | Operation[],
  headers: Record<string, string> = {},
): Promise<Reply & { json: any }> {
  const reply = await send(`${url}/graphql`, { method: 'POST', headers, json: body });
  let json: unknown;
  try {
    json = JSON.parse(reply.body);
  } catch {
    throw new Error(`/graphql answered ${reply.status} with non-JSON: ${reply.body}`);
  }
  return { ...reply, json };
}

/**
 * Sends one message to a Nest TCP microservice over a fresh connection, in its wire format
 * (`<length>#<json>`): with `id`, a request (`@MessagePattern`) whose answer is returned; without,
 * an event (`@EventPattern`), resolved once written.
 */
export function tcpMessage(
  port: number,
  message: { pattern: string; data: unknown; id?: string },
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('error', reject);
    let buffer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        const hash = buffer.indexOf('#');
        if (hash < 0) return;
        const length = Number(buffer.slice(0, hash));
        if (buffer.length < hash + 1 + length) return;
        const packet = JSON.parse(buffer.slice(hash + 1, hash + 1 + length)) as {
          err?: unknown;
          response?: unknown;
        };
        buffer = buffer.slice(hash + 1 + length);
        socket.end();
        if (packet.err !== undefined && packet.err !== null) {
          reject(new Error(`microservice error: ${JSON.stringify(packet.err)}`));
        } else {
          resolve(packet.response);
        }
        return;
      }
    });
    const json = JSON.stringify(message);
    socket.write(`${json.length}#${json}`, () => {
      if (message.id === undefined) socket.end(() => resolve(undefined));
    });
  });
}
