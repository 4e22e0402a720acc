import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startServingApp } from '../app-process.js';

const NEXT_BIN = fileURLToPath(new URL('../../node_modules/next/dist/bin/next', import.meta.url));
export const NEXT_APP = fileURLToPath(new URL('./fixtures/next-app/', import.meta.url));

/** One app under test: a process this suite started, and the address it serves. */
export interface RunningApp {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** How to run one adapter's conformance app. */
export interface AdapterApp {
  name: string;
  /** Where the app serves `track`, `alias` and `boom`. Defaults to `/api/conformance`. */
  basePath?: string;
  /** Starts the app; `env` carries the collector and the trust setting. */
  start(env: Record<string, string>): Promise<RunningApp>;
}

function spawnLogged(args: string[], env: Record<string, string>, cwd?: string) {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, exited, output: () => output };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** A Node script that prints `listening on http://127.0.0.1:PORT` once it serves. */
export function scriptApp(
  name: string,
  script: string,
  appEnv: Record<string, string>,
): AdapterApp {
  return {
    name,
    async start(env) {
      const app = await startServingApp(
        fileURLToPath(new URL(`./fixtures/${script}`, import.meta.url)),
        { ...appEnv, ...env },
        { label: name, buildHint: 'a fixture of test/adapters', timeout: 20_000 },
      );
      return {
        url: app.url,
        output: app.output,
        stop: async () => {
          await app.stop(5_000);
        },
      };
    },
  };
}

/** `next build` of the fixture app, once per run. */
export async function buildNextApp(): Promise<void> {
  const { exited, output } = spawnLogged([NEXT_BIN, 'build'], { NODE_ENV: 'production' }, NEXT_APP);
  const code = await exited;
  if (code !== 0) throw new Error(`next build failed (${code}):\n${output()}`);
}

/** `next start` of the built fixture, without `-H`: Next listens dual-stack. */
export function nextApp(name: string, options: Partial<AdapterApp> = {}): AdapterApp {
  return {
    name,
    ...options,
    async start(env) {
      const port = await freePort();
      const { child, exited, output } = spawnLogged(
        [NEXT_BIN, 'start', '-p', String(port)],
        { NODE_ENV: 'production', ...env },
        NEXT_APP,
      );
      const url = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`next start exited:\n${output()}`);
        if ((await get(`${url}/__ready`).catch(() => undefined)) !== undefined) break;
        if (Date.now() > deadline) {
          await stopChild(child, exited);
          throw new Error(`next start did not answer within 30 s:\n${output()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return { url, output, stop: () => stopChild(child, exited) };
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A GET with exactly these headers (Cookie and X-Forwarded-For included), from 127.0.0.1. */
export function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
