import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';

/**
 * Starts the shop. Environment: PLATFORM (express | fastify, default express), PORT (0 picks a free
 * one), TRUST_PROXY (a proxy-addr value such as "loopback"; unset trusts no proxy),
 * TRIBUTARY_WRITE_KEY, TRIBUTARY_HOST, TRIBUTARY_FLUSH_AT, TRIBUTARY_SHUTDOWN_TIMEOUT.
 */
async function main(): Promise<void> {
  const platform = process.env.PLATFORM ?? 'express';
  const trustProxy = process.env.TRUST_PROXY || undefined;
  const options = { abortOnError: false, logger: ['error' as const, 'warn' as const] };
  let app: NestExpressApplication | NestFastifyApplication;
  if (platform === 'fastify') {
    app = await NestFactory.create<NestFastifyApplication>(
      AppModule,
      new FastifyAdapter({ trustProxy }),
      options,
    );
  } else if (platform === 'express') {
    const express = await NestFactory.create<NestExpressApplication>(AppModule, options);
    if (trustProxy !== undefined) express.set('trust proxy', trustProxy);
    app = express;
  } else {
    throw new Error(
      `PLATFORM must be "express" or "fastify", received ${JSON.stringify(platform)}`,
    );
  }
  // Without this, SIGTERM kills the process before AnalyticsModule's shutdown flush runs.
  // useProcessExit: exit 0 once every shutdown hook (and so the flush) has finished.
  app.enableShutdownHooks([], { useProcessExit: true });
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : process.env.PORT;
  console.log(`listening on http://127.0.0.1:${port}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  process.exitCode = 1;
});
