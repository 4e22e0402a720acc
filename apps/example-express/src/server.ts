import type { AddressInfo } from 'node:net';
import { registerShutdown } from '@tributary/express';
import { createShop } from './shop.js';

/** `TRUST_PROXY`: `true`/`false`, a hop count, or an Express trust list such as `loopback`. Defaults to `false`. */
function trustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

const { app, analytics } = createShop({
  analytics: {
    writeKey: process.env.TRIBUTARY_WRITE_KEY ?? 'demo-write-key',
    host: process.env.TRIBUTARY_HOST ?? 'http://127.0.0.1:4318',
  },
  trustProxy: trustProxy(process.env.TRUST_PROXY),
});

const server = app.listen(
  Number(process.env.PORT ?? 3000),
  process.env.HOST ?? '127.0.0.1',
  (error?: Error) => {
    if (error !== undefined) {
      console.error(error);
      process.exit(1);
    }
    const { port } = server.address() as AddressInfo;
    console.log(`listening on http://127.0.0.1:${port}`);
  },
);

// SIGTERM/SIGINT: stop accepting, finish in-flight requests, deliver every event, exit 0.
registerShutdown(server, analytics.client, { timeout: 10_000 });
