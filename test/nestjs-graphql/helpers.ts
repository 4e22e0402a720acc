import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { send, type Exit, type Platform, type Reply } from '../nestjs/helpers.js';

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
export interface GraphqlApi {
  url: string;
  /** The TCP microservice's port. */
  tcpPort: number;
  exited: Promise<Exit>;
  output(): string;
  /** SIGTERM, then SIGKILL if it is still running after `timeout` ms. */
  stop(timeout?: number): Promise<Exit>;
}

export async function startGraphqlApi(
  platform: Platform,
  collectorUrl: string,
  env: Record<string, string> = {},
): Promise<GraphqlApi> {
  if (!existsSync(MAIN)) {
    throw new Error(
      `${MAIN} is missing: build the example first (cd apps/example-nestjs-graphql && npm run build)`,
    );
  }
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: '0',
      PLATFORM: platform,
      TRIBUTARY_HOST: collectorUrl,
      TRIBUTARY_WRITE_KEY: 'nest-graphql-key',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const [url, tcpPort] = await new Promise<[string, number]>((resolve, reject) => {
    const timer = setTimeout(() => fail('did not print its address within 20 s'), 20_000);
    function fail(why: string): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`example-nestjs-graphql (${platform}) ${why}; output:\n${output}`));
    }
    child.stdout.on('data', () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      const tcp = /microservice on tcp:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (tcp?.[1] === undefined) return fail('did not print its microservice port');
      resolve([match[1], Number(tcp[1])]);
    });
    void exited.then(({ code }) => fail(`exited early with code ${code}`));
  });
  return {
    url,
    tcpPort,
    exited,
    output: () => output,
    async stop(timeout = 15_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
        void exited.then(() => clearTimeout(timer));
      }
      return exited;
    },
  };
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
