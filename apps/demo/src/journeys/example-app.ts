import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** An example app running as its own process, pointed at the demo's collector. */
export interface ExampleApp {
  url: string;
  /** SIGTERM, as an orchestrator would send: the app delivers its events, then exits. */
  stop(): Promise<number | null>;
}

const require = createRequire(import.meta.url);

/** The directory of an example app's package, found through its `package.json` export. */
export function exampleAppDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/** Starts `node <script>` and waits for its `listening on http://…` line. */
export async function startExampleApp(
  dir: string,
  script: string,
  env: Record<string, string>,
): Promise<ExampleApp> {
  const child = spawn(process.execPath, [join(dir, script)], {
    cwd: dir,
    env: { ...process.env, PORT: '0', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(
      () => reject(new Error(`${script} did not start in 30 s\n${stderr}`)),
      30_000,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with code ${code} before listening\n${stderr}`));
    });
  });
  return {
    url,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
