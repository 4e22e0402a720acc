// The Nest imports around the excerpt; ConfigModule/ConfigService as @nestjs/config declares them
// (not installed here).
import { Injectable } from '@nestjs/common';
import { AnalyticsModule, type AnalyticsOptionsFactory } from '@tributary/nestjs';
declare class ConfigModule {}
declare class ConfigService {
  getOrThrow<T = string>(key: string): T;
}
