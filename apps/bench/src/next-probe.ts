/**
 * Loaded into `next start` with `--import`: answers the orchestrator's marks (this process's CPU,
 * the responses it finished, RSS, the port Next listens on) as the other bench apps do themselves.
 * `next start` serves from this one process.
 */
import { subscribe } from 'node:diagnostics_channel';
import { cpuMicros } from './clock.js';
import { tell } from './ipc.js';
import type { Envelope } from './protocol.js';

let served = 0;
subscribe('http.server.response.finish', () => {
  served++;
});

process.on('message', (message: Envelope) => {
  if (message.type === 'mark') {
    void tell({
      type: 'mark',
      id: message.id,
      cpuMicros: cpuMicros(),
      served,
      rss: process.memoryUsage().rss,
      // Next sets PORT once its server listens.
      port: Number(process.env.PORT ?? 0),
    });
  } else if (message.type === 'stop') {
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.exit(0), 3000).unref();
  }
});
process.on('disconnect', () => process.exit(0));
