import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** How a child Node process ended. */
export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether it had to be killed because it did not exit on its own within the limit. */
  killed: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** A fixture script in test/reliability/fixtures/. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

/**
 * Runs `node script` and waits for it to exit on its own; after `limit` ms it is killed and
 * `killed` is true (a leaked timer or socket keeps a process alive).
 */
export function runNode(
  script: string,
  options: { env?: Record<string, string>; limit: number; nodeArgs?: string[] },
): Promise<ChildRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, options.limit);
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, killed, stdout, stderr, durationMs: Date.now() - started });
    });
  });
}

/** The last line of `stdout` that parses as JSON: fixtures print their measurements that way. */
export function lastJson<T>(stdout: string): T {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      return JSON.parse(line) as T;
    } catch {
      // not the report line
    }
  }
  throw new Error(`no JSON line in the child's output:\n${stdout.slice(-2000)}`);
}
