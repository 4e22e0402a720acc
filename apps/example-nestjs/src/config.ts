import { Injectable, Module } from '@nestjs/common';

/**
 * Settings from the environment, in the shape of `@nestjs/config`'s `ConfigService`, so the app
 * shows `AnalyticsModule.forRootAsync()` with an injected configuration provider.
 */
@Injectable()
export class ConfigService {
  readonly #env: NodeJS.ProcessEnv;

  constructor() {
    this.#env = process.env;
  }

  /** The value of `key`, or `fallback` when it is unset or empty. */
  get(key: string, fallback?: string): string | undefined {
    const value = this.#env[key];
    return value === undefined || value === '' ? fallback : value;
  }

  /** A numeric setting. An unparsable value is passed through as is, for the module to report. */
  number(key: string): number | undefined {
    const value = this.get(key);
    return value === undefined ? undefined : Number(value);
  }
}

@Module({ providers: [ConfigService], exports: [ConfigService] })
export class ConfigModule {}
