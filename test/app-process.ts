import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/** How a process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A built example app in its own Node process, started by a suite. */
export interface AppProcess {
  child: ChildProcess;
  exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr as they arrived. */
  output(): string;
  /** SIGTERM, then SIGKILL if it is still running after `timeout` ms. */
  stop(timeout?: number): Promise<Exit>;
}

/** What the example apps print once they serve: `listening on http://127.0.0.1:<port>`. */
export const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;

/**
 * Runs `node <script>` with `env` over the suite's own environment (`NODE_ENV=test`, `PORT=0`).
 * Throws with `buildHint` when the script has not been built.
 */
export function spawnApp(
  script: string,
  env: Record<string, string>,
  buildHint: string,
): AppProcess {
  if (!existsSync(script)) throw new Error(`${script} is missing: ${buildHint}`);
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '', both: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out.stdout += chunk;
    out.both += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    out.stderr += chunk;
    out.both += chunk;
  });
  // 'close', not 'exit': it comes once the output has been read to the end, so what the app
  // printed just before exiting (its shutdown report) is in `stdout()` by then.
  const exited = new Promise<Exit>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    exited,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    output: () => out.both,
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

/**
 * Resolves with the first match of `pattern` in the app's stdout. If the app exits first or prints
 * no match within `timeout` ms, kills it and rejects with its output, naming it `label`.
 */
export function waitForOutput(
  app: AppProcess,
  pattern: RegExp,
  label: string,
  timeout: number,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(`did not print ${String(pattern)} within ${timeout / 1000} s`),
      timeout,
    );
    function fail(why: string): void {
      clearTimeout(timer);
      app.child.kill('SIGKILL');
      reject(new Error(`${label} ${why}; output:\n${app.output()}`));
    }
    function check(): void {
      const match = pattern.exec(app.stdout());
      if (match === null) return;
      clearTimeout(timer);
      app.child.stdout!.off('data', check);
      resolve(match);
    }
    app.child.stdout!.on('data', check);
    check();
    void app.exited.then(({ code }) => fail(`exited early with code ${code}`));
  });
}

/** Starts an app and resolves once it serves, with its address. */
export async function startServingApp(
  script: string,
  env: Record<string, string>,
  options: { label: string; buildHint: string; timeout: number },
): Promise<AppProcess & { url: string }> {
  const app = spawnApp(script, env, options.buildHint);
  const [, url] = await waitForOutput(app, LISTENING, options.label, options.timeout);
  return { ...app, url: url! };
}
