/**
 * Loaded into `next start` with `--import`: answers the orchestrator's marks (this process's CPU,
 * the responses it finished, RSS, the port Next listens on) as the other bench apps do themselves.
 * `next start` serves from this one process.
 */
import { subscribe } from 'node:diagnostics_channel';
import { answerMarks } from './ipc.js';

let served = 0;
subscribe('http.server.response.finish', () => {
  served++;
});

answerMarks({
  served: () => served,
  // Next sets PORT once its server listens.
  extra: () => ({ port: Number(process.env.PORT ?? 0) }),
  // Next's own SIGTERM handling ends the process once it has shut down (the 3 s bound aside).
  stop: () => {
    process.kill(process.pid, 'SIGTERM');
    return new Promise<never>(() => undefined);
  },
});
