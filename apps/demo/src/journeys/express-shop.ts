import { runExpressJourney } from '@tributary/example-express/journey';
import { exampleAppDir, startExampleApp } from './example-app.js';
import type { Journey } from './journey.js';

/** The Express example shop, in its own process, instrumented with @tributary/express. */
export const expressShop: Journey = {
  name: 'Express shop',
  description: 'apps/example-express: browse, sign up, cart, checkout over HTTP; SIGTERM delivers',
  async run({ collectorUrl, writeKey, log }) {
    const app = await startExampleApp(
      exampleAppDir('@tributary/example-express'),
      'dist/server.js',
      {
        TRIBUTARY_HOST: collectorUrl,
        TRIBUTARY_WRITE_KEY: writeKey,
      },
    );
    log(`shop listening on ${app.url}`);
    const result = await runExpressJourney(app.url);
    log(
      `visitor ${result.anonymousId.slice(0, 8)}… signed up as ${result.userId}, order ${result.orderId}`,
    );
    const code = await app.stop();
    log(`SIGTERM: the shop delivered its events and exited with code ${code}`);
    if (code !== 0) throw new Error(`the Express shop exited with code ${code}`);
  },
};
