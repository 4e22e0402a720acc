// Node child processes that run a test's ES module script given as text: the outbox suites start
// producers and survivors this way, SIGKILL them mid-burst, and read what they print.
import { spawn, type ChildProcess } from 'node:child_process';

/** A running script whose stdout is read line by line. */
export interface ScriptChild {
  process: ChildProcess;
  /** Every complete line printed so far. */
  lines: string[];
  /** Resolves with the first line matching; rejects when the child exits first or after `timeout`. */
  waitFor(pattern: RegExp, timeout?: number): Promise<string>;
  /** The exit code, once the child has exited and all it printed is in `lines`. */
  exited: Promise<number | null>;
}

const running: ChildProcess[] = [];

/**
 * Starts `node --input-type=module -e <script> ...args`. Its stdin is a pipe: a script that waits
 * for stdin to end stops when the test calls `child.process.stdin.end()`.
 */
export function startScript(script: string, args: readonly string[] = []): ScriptChild {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.push(child);
  const lines: string[] = [];
  let buffer = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts);
  });
  child.stdout.on('end', () => {
    if (buffer !== '') lines.push(buffer);
    buffer = '';
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // 'close', not 'exit': it comes after the child's output has been read to the end, so a line
  // printed just before exiting is in `lines` by then ('exit' can come first under load).
  let closed = false;
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      closed = true;
      resolve(code);
    }),
  );
  return {
    process: child,
    lines,
    exited,
    async waitFor(pattern, timeout = 60_000) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const line = lines.find((l) => pattern.test(l));
        if (line !== undefined) return line;
        if (closed) {
          throw new Error(
            `child exited (${child.exitCode ?? child.signalCode}) before ${String(pattern)}: ${stderr}`,
          );
        }
        if (Date.now() > deadline)
          throw new Error(
            `timed out waiting for ${String(pattern)}; saw ${lines.at(-1)}; ${stderr}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

/** Runs a script with the test's own stdout and stderr; resolves with its exit code. */
export function runScript(script: string): {
  process: ChildProcess;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: 'inherit',
  });
  running.push(child);
  return {
    process: child,
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
  };
}

/** SIGKILLs every script child still running (the suites' `afterEach`). */
export function killScripts(): void {
  for (const child of running.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
