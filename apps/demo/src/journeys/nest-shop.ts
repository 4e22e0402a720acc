import { runNestJourney } from '@tributary/example-nestjs/journey';
import { exampleAppDir, startExampleApp } from './example-app.js';
import type { Journey } from './journey.js';

/** The NestJS example shop (Fastify platform), in its own process, instrumented with @tributary/nestjs. */
export const nestShop: Journey = {
  name: 'NestJS shop',
  description:
    'apps/example-nestjs on Fastify: @Track decorators, AnalyticsService; SIGTERM delivers',
  async run({ collectorUrl, writeKey, log }) {
    const app = await startExampleApp(exampleAppDir('@tributary/example-nestjs'), 'dist/main.js', {
      TRIBUTARY_HOST: collectorUrl,
      TRIBUTARY_WRITE_KEY: writeKey,
      PLATFORM: 'fastify',
    });
    log(`shop listening on ${app.url}`);
    const result = await runNestJourney(app.url);
    log(
      `${result.requests.length} requests; ${result.userId} ordered ${result.orderId} (${result.total})`,
    );
    const code = await app.stop();
    log(`SIGTERM: the shop delivered its events and exited with code ${code}`);
    if (code !== 0) throw new Error(`the NestJS shop exited with code ${code}`);
  },
};
