import 'reflect-metadata';
import type { Server } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { Transport } from '@nestjs/microservices';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';

/**
 * Starts the API. Environment: PLATFORM (express: Apollo, fastify: Mercurius; default express),
 * PORT (0 picks a free one), TRIBUTARY_WRITE_KEY, TRIBUTARY_HOST, TRIBUTARY_FLUSH_AT,
 * TRIBUTARY_SHUTDOWN_TIMEOUT.
 */
async function main(): Promise<void> {
  const platform = process.env.PLATFORM ?? 'express';
  const options = { abortOnError: false, logger: ['error' as const, 'warn' as const] };
  let app: NestExpressApplication | NestFastifyApplication;
  if (platform === 'fastify') {
    app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forPlatform('fastify'),
      new FastifyAdapter(),
      options,
    );
  } else if (platform === 'express') {
    app = await NestFactory.create<NestExpressApplication>(
      AppModule.forPlatform('express'),
      options,
    );
  } else {
    throw new Error(
      `PLATFORM must be "express" or "fastify", received ${JSON.stringify(platform)}`,
    );
  }
  // A TCP microservice beside HTTP (a hybrid app), on a free port. inheritAppConfig: without it a
  // hybrid app's microservice runs no global interceptor, AnalyticsModule's included.
  const microservice = app.connectMicroservice(
    { transport: Transport.TCP, options: { host: '127.0.0.1', port: 0 } },
    { inheritAppConfig: true },
  );
  // Without this, SIGTERM kills the process before AnalyticsModule's shutdown flush runs.
  app.enableShutdownHooks([], { useProcessExit: true });
  await app.startAllMicroservices();
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
  const tcp = microservice.unwrap<Server>().address();
  if (typeof tcp === 'object' && tcp !== null) {
    console.log(`microservice on tcp://127.0.0.1:${tcp.port}`);
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : process.env.PORT;
  console.log(`listening on http://127.0.0.1:${port}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
