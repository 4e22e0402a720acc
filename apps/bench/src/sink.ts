/**
 * The sink: a stand-in for the ingestion API, in its own process so its work is not billed to the
 * SDK under test. Accepts any POST (`/v1/batch` for Segment and Tributary, `/batch/` for PostHog),
 * gunzips, counts distinct events by `messageId` (or PostHog's `uuid`), duplicates, requests,
 * new connections, body bytes and its own CPU, and answers 200.
 */
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { cpuMicros, wallClock } from './clock.js';
import type { Envelope, SinkStats } from './protocol.js';

let seen = new Set<string>();
let stats: SinkStats = emptyStats();
let cpuAtReset = cpuMicros();
let expect = 0;
let completeSent = false;

function emptyStats(): SinkStats {
  return {
    requests: 0,
    connections: 0,
    distinct: 0,
    duplicates: 0,
    bodyBytes: 0,
    gzipRequests: 0,
    firstAt: 0,
    lastNewAt: 0,
    cpuMicros: 0,
  };
}

const ID_KEYS = ['"messageId":"', '"uuid":"'];

/** Reads the ids without parsing the JSON: the sink must stay far cheaper than any client. */
function countIds(text: string): void {
  for (const key of ID_KEYS) {
    let at = text.indexOf(key);
    if (at === -1) continue;
    while (at !== -1) {
      const start = at + key.length;
      const end = text.indexOf('"', start);
      const id = text.slice(start, end);
      if (seen.has(id)) stats.duplicates++;
      else {
        seen.add(id);
        stats.distinct++;
        stats.lastNewAt = wallClock();
      }
      at = text.indexOf(key, end);
    }
    return;
  }
}

const server = createServer({ keepAliveTimeout: 10_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    if (stats.requests === 0) stats.firstAt = wallClock();
    stats.requests++;
    let body = Buffer.concat(chunks);
    stats.bodyBytes += body.length;
    if (req.headers['content-encoding'] === 'gzip') {
      stats.gzipRequests++;
      try {
        body = gunzipSync(body);
      } catch {
        res.writeHead(400).end();
        return;
      }
    }
    countIds(body.toString('utf8'));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '15' });
    res.end('{"status":"ok"}');
    if (!completeSent && expect > 0 && stats.distinct >= expect) {
      completeSent = true;
      process.send?.({ type: 'complete', at: stats.lastNewAt });
    }
  });
});
server.on('connection', () => {
  stats.connections++;
});
// Many SDK processes come and go; never let a stray socket error end the sink.
server.on('clientError', (_error, socket) => socket.destroy());

process.on('message', (message: Envelope) => {
  switch (message.type) {
    case 'reset':
      seen = new Set();
      stats = emptyStats();
      cpuAtReset = cpuMicros();
      expect = typeof message.expect === 'number' ? message.expect : 0;
      completeSent = false;
      process.send?.({ type: 'reset-done', id: message.id });
      break;
    case 'stats':
      process.send?.({
        type: 'stats',
        id: message.id,
        stats: { ...stats, cpuMicros: cpuMicros() - cpuAtReset },
      });
      break;
    case 'exit':
      server.closeAllConnections();
      server.close();
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'listening', port });
});
