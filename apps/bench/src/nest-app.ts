/**
 * The per-framework scenario's NestJS app, on Express or on Fastify: one event per request through
 * `@Track()` or `AnalyticsService.track`, the core client called by hand, or none (the baseline,
 * and the baseline with one `AsyncLocalStorage.run` per request).
 * Its own process, so its CPU is measured apart from the load generator and the sink.
 */
import 'reflect-metadata';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Inject, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AnalyticsService as AnalyticsServiceType } from '@tributary/nestjs';
import { eventProperties, EVENT_NAME, userIdFor } from './event.js';
import { answerMarks, nextFromParent, tell } from './ipc.js';
import type { AppSpec, Envelope } from './protocol.js';
import { WRITE_KEY } from './sdks.js';

const { spec } = (await nextFromParent('app', 30_000)) as Envelope & { spec: AppSpec };
let served = 0;
const ORDER = { ok: true, order: 'ord_8f14e45fceea167a5a36' };
/** `baseline-als`: the storage a global middleware enters once per request, before the handler. */
const als = new AsyncLocalStorage<object>();

async function appModule(): Promise<new () => unknown> {
  switch (spec.variant) {
    case 'tributary-track': {
      const { AnalyticsModule, Track } = await import('@tributary/nestjs');
      @Controller()
      class CheckoutController {
        @Get('checkout')
        @Track(EVENT_NAME, {
          userId: () => userIdFor(served),
          properties: () => eventProperties(served),
        })
        checkout() {
          served++;
          return ORDER;
        }
      }
      @Module({
        imports: [AnalyticsModule.forRoot({ writeKey: WRITE_KEY, host: spec.host })],
        controllers: [CheckoutController],
      })
      class AppModule {}
      return AppModule;
    }
    case 'tributary-service': {
      const { AnalyticsModule, AnalyticsService } = await import('@tributary/nestjs');
      @Controller()
      class CheckoutController {
        constructor(@Inject(AnalyticsService) private readonly analytics: AnalyticsServiceType) {}
        @Get('checkout')
        checkout() {
          this.analytics.track(EVENT_NAME, eventProperties(served), {
            userId: userIdFor(served),
          });
          served++;
          return ORDER;
        }
      }
      @Module({
        imports: [AnalyticsModule.forRoot({ writeKey: WRITE_KEY, host: spec.host })],
        controllers: [CheckoutController],
      })
      class AppModule {}
      return AppModule;
    }
    case 'tributary-core': {
      const { Analytics } = await import('@tributary/core');
      const client = new Analytics({ writeKey: WRITE_KEY, host: spec.host });
      closeClient = () => client.close({ timeout: 2000 });
      @Controller()
      class CheckoutController {
        @Get('checkout')
        checkout() {
          client.track(userIdFor(served), EVENT_NAME, eventProperties(served));
          served++;
          return ORDER;
        }
      }
      @Module({ controllers: [CheckoutController] })
      class AppModule {}
      return AppModule;
    }
    case 'baseline-als': {
      @Controller()
      class CheckoutController {
        @Get('checkout')
        checkout() {
          // A request that missed the storage answers 500, counted as an error.
          if (als.getStore() === undefined) throw new Error('the request ran outside its storage');
          served++;
          return ORDER;
        }
      }
      @Module({ controllers: [CheckoutController] })
      class AppModule {}
      return AppModule;
    }
    default: {
      @Controller()
      class CheckoutController {
        @Get('checkout')
        checkout() {
          served++;
          return ORDER;
        }
      }
      @Module({ controllers: [CheckoutController] })
      class AppModule {}
      return AppModule;
    }
  }
}

let closeClient: () => Promise<unknown> = async () => undefined;
const module = await appModule();
let app: INestApplication;
if (spec.framework === 'nest-fastify') {
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  app = await NestFactory.create(module, new FastifyAdapter(), { logger: ['error'] });
} else {
  app = await NestFactory.create(module, { logger: ['error'] });
}
if (spec.variant === 'baseline-als') {
  // A global functional middleware on the platform (Express itself; @fastify/middie on Fastify).
  app.use((_req: unknown, _res: unknown, next: () => void) => als.run({}, next));
}
await app.listen(0, '127.0.0.1');
const server = app.getHttpServer() as Server;
await tell({ type: 'listening', port: (server.address() as AddressInfo).port });

answerMarks({
  served: () => served,
  stop: () => {
    server.closeAllConnections();
    // `app.close()` runs the module's shutdown hook, which delivers what is queued.
    return Promise.all([app.close(), closeClient()]);
  },
});
