import 'reflect-metadata';
import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Analytics, type Transport, type WireMessage } from '@tributary/core';
import { createTestAnalytics } from '@tributary/core/testing';
import { describe, expect, it } from 'vitest';
import { AnalyticsModule, type AnalyticsOptionsFactory } from './analytics.module.js';
import { AnalyticsService } from './analytics.service.js';
import type { AnalyticsModuleOptions } from './options.js';
import { ANALYTICS_CLIENT } from './tokens.js';

/** A transport that records every delivered message. */
function recordingTransport(): { transport: Transport; sent: WireMessage[] } {
  const sent: WireMessage[] = [];
  const transport: Transport = async (request) => {
    const body = JSON.parse(String(request.body)) as { batch: WireMessage[] };
    sent.push(...body.batch);
    return { status: 200, headers: {}, body: '{}' };
  };
  return { transport, sent };
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

@Injectable()
class Consumer {
  constructor(@Inject(AnalyticsService) readonly analytics: AnalyticsService) {}
}

@Module({ providers: [Consumer] })
class FeatureModule {}

describe('AnalyticsModule', () => {
  it('is global by default: a module that does not import it can inject AnalyticsService', async () => {
    const ref = await Test.createTestingModule({
      imports: [
        AnalyticsModule.forRoot({ writeKey: 'k', send: false, logger: quiet }),
        FeatureModule,
      ],
    }).compile();
    expect(ref.get(Consumer).analytics).toBeInstanceOf(AnalyticsService);
    expect(ref.get(ANALYTICS_CLIENT)).toBe(ref.get(Consumer).analytics.client);
    await ref.close();
  });

  it('honours isGlobal: false, and does not pass isGlobal to the client', async () => {
    const build = Test.createTestingModule({
      imports: [
        AnalyticsModule.forRoot({ writeKey: 'k', send: false, logger: quiet, isGlobal: false }),
        FeatureModule,
      ],
    }).compile();
    await expect(build).rejects.toThrow(/AnalyticsService/);
  });

  it('takes options from a factory with injected dependencies', async () => {
    @Injectable()
    class Config {
      get(key: string): string {
        return key === 'WRITE_KEY' ? 'from-config' : '';
      }
    }
    @Module({ providers: [Config], exports: [Config] })
    class ConfigModule {}
    const ref = await Test.createTestingModule({
      imports: [
        AnalyticsModule.forRootAsync({
          imports: [ConfigModule],
          inject: [Config],
          useFactory: (config: Config) => ({
            writeKey: config.get('WRITE_KEY'),
            send: false,
            logger: quiet,
          }),
        }),
      ],
    }).compile();
    expect(ref.get(AnalyticsService).track('Factory Used', {}, { userId: 'u1' })).toBe(true);
    await ref.close();
  });

  it('takes options from a useClass or useExisting factory', async () => {
    @Injectable()
    class OptionsFactory implements AnalyticsOptionsFactory {
      createAnalyticsOptions(): AnalyticsModuleOptions {
        return { writeKey: 'k', send: false, logger: quiet };
      }
    }
    const byClass = await Test.createTestingModule({
      imports: [AnalyticsModule.forRootAsync({ useClass: OptionsFactory })],
    }).compile();
    expect(byClass.get(AnalyticsService)).toBeInstanceOf(AnalyticsService);
    await byClass.close();

    @Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
    class OptionsModule {}
    const byExisting = await Test.createTestingModule({
      imports: [
        AnalyticsModule.forRootAsync({ imports: [OptionsModule], useExisting: OptionsFactory }),
      ],
    }).compile();
    expect(byExisting.get(AnalyticsService)).toBeInstanceOf(AnalyticsService);
    await byExisting.close();
  });

  it('refuses bad options at init with one error listing every problem', async () => {
    const build = Test.createTestingModule({
      imports: [
        AnalyticsModule.forRootAsync({
          useFactory: () =>
            ({
              flushAt: 0,
              host: 'ftp://nowhere',
              shutdownTimeout: -1,
              resolveUser: 'user.id',
              context: { ip: 'yes', cookies: true },
              trackErrors: 'always',
            }) as unknown as AnalyticsModuleOptions,
        }),
      ],
    }).compile();
    const error = (await build.catch((e: unknown) => e)) as Error & { code: string };
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.message).toMatch(/^Invalid AnalyticsModule options:/);
    for (const field of [
      '"writeKey"',
      '"flushAt"',
      '"host"',
      '"shutdownTimeout"',
      '"resolveUser"',
      '"trackErrors"',
      '"context.ip"',
      '"context.cookies"',
    ]) {
      expect(error.message).toContain(field);
    }
  });

  it('refuses a client combined with client options', async () => {
    const { transport } = recordingTransport();
    const build = Test.createTestingModule({
      imports: [
        AnalyticsModule.forRoot({
          client: {} as Analytics,
          transport,
        } as unknown as AnalyticsModuleOptions),
      ],
    }).compile();
    await expect(build).rejects.toThrow(
      /"client" must be an Analytics instance[\s\S]*"client" cannot be combined with client options \("transport"\)/,
    );
  });

  it('delivers on shutdown what other modules track in their own shutdown hooks, then closes the client', async () => {
    const { transport, sent } = recordingTransport();
    @Injectable()
    class Goodbye implements OnApplicationShutdown {
      constructor(@Inject(AnalyticsService) private readonly analytics: AnalyticsService) {}
      onApplicationShutdown(): void {
        this.analytics.track('Server Stopped', {}, { userId: 'system' });
      }
    }
    @Module({ providers: [Goodbye] })
    class GoodbyeModule {}
    const ref = await Test.createTestingModule({
      imports: [
        GoodbyeModule,
        AnalyticsModule.forRoot({ writeKey: 'k', transport, flushInterval: 60_000, logger: quiet }),
      ],
    }).compile();
    await ref.init();
    const client = ref.get<Analytics>(ANALYTICS_CLIENT);
    ref.get(AnalyticsService).track('Order Completed', { total: 3 }, { userId: 'u1' });
    await ref.close();
    expect(sent.map((m) => m.event)).toEqual(['Order Completed', 'Server Stopped']);
    expect(client.closed).toBe(true);
  });
});

describe('AnalyticsModule with a client of your own', () => {
  it('flushes it on shutdown but leaves closing it to you', async () => {
    const { transport, sent } = recordingTransport();
    const client = new Analytics({
      writeKey: 'k',
      transport,
      flushInterval: 60_000,
      logger: quiet,
    });
    const ref = await Test.createTestingModule({
      imports: [AnalyticsModule.forRoot({ client })],
    }).compile();
    await ref.init();
    expect(ref.get(ANALYTICS_CLIENT)).toBe(client);
    ref.get(AnalyticsService).track('Own Client', {}, { userId: 'u1' });
    await ref.close();
    expect(sent.map((m) => m.event)).toEqual(['Own Client']);
    expect(client.closed).toBe(false);
    await client.close();
  });

  it('can be swapped for a recording client with overrideProvider', async () => {
    const recorder = createTestAnalytics();
    const ref = await Test.createTestingModule({
      imports: [AnalyticsModule.forRoot({ writeKey: 'k', logger: quiet })],
    })
      .overrideProvider(ANALYTICS_CLIENT)
      .useValue(recorder)
      .compile();
    ref.get(AnalyticsService).track('Swapped', { ok: true }, { userId: 'u1' });
    recorder.expectTracked('Swapped', { ok: true });
    await ref.close();
  });
});
