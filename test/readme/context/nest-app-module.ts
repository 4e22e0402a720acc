// main.ts around the excerpt: the app's root module.
import { NestFactory } from '@nestjs/core';
declare class AppModule {}
