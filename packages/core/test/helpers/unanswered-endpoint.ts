import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';

/** A port whose connects never complete, as with a host that drops packets. */
export interface UnansweredEndpoint {
  url: string;
  close: () => Promise<void>;
}

/**
 * Listens in a child process with an accept queue of one, stops that process (SIGSTOP) and fills
 * the queue: Linux then drops every further SYN, so a connect stays pending until its own timeout.
 */
export async function startUnansweredEndpoint(): Promise<UnansweredEndpoint> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('node:net').createServer(() => {});
       s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => console.log(s.address().port));`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (data: Buffer) => resolve(Number(String(data).trim())));
  });
  child.kill('SIGSTOP');
  const fillers: Socket[] = [];
  // The kernel completes handshakes for up to backlog + 1 connections nobody accepts.
  for (let i = 0; i < 3; i++) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    fillers.push(socket);
  }
  await Promise.all(
    fillers
      .slice(0, 2)
      .map((socket) => new Promise<void>((resolve) => socket.once('connect', () => resolve()))),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
