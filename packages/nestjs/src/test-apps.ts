import type { INestApplication, NestApplicationOptions, Type } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { afterEach } from 'vitest';
import {
  AnalyticsTestingModule,
  type AnalyticsTestingModuleOptions,
} from './analytics-testing.module.js';

/** Test apps of these controllers on Express or Fastify, each closed after its test. */
export interface TestApps {
  /** Starts an app with the testing module on 127.0.0.1; resolves with its URL. */
  start(platform: 'express' | 'fastify', options?: AnalyticsTestingModuleOptions): Promise<string>;
  /** The app the current test started. */
  readonly app: INestApplication;
}

/** For a test file: registers the `afterEach` that closes what {@link TestApps.start} started. */
export function testApps(
  controllers: Type<unknown>[],
  appOptions: NestApplicationOptions = {},
): TestApps {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  return {
    async start(platform, options = {}) {
      const ref = await Test.createTestingModule({
        imports: [AnalyticsTestingModule.forRoot(options)],
        controllers,
      }).compile();
      app =
        platform === 'express'
          ? ref.createNestApplication(appOptions)
          : ref.createNestApplication(new FastifyAdapter(), appOptions);
      await app.listen(0, '127.0.0.1');
      return String(await app.getUrl()).replace('[::1]', '127.0.0.1');
    },
    get app() {
      if (app === undefined) throw new Error('no test app was started');
      return app;
    },
  };
}
