// packages/nestjs/README.md, "Quick start" (main.ts), with the collector as host and PORT for a free port.
import 'reflect-metadata';
import { Controller, Get, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AnalyticsModule, Track } from '@tributary/nestjs';

@Controller('products')
class ProductsController {
  @Get(':id')
  @Track('Product Viewed', { properties: ({ params }) => ({ productId: params.id }) })
  view(@Param('id') id: string) {
    return { id };
  }
}

@Module({
  imports: [
    AnalyticsModule.forRoot({
      writeKey: process.env.SEGMENT_WRITE_KEY ?? 'YOUR_WRITE_KEY',
      host: process.env.TRIBUTARY_HOST,
    }),
  ],
  controllers: [ProductsController],
})
class AppModule {}

const app = await NestFactory.create(AppModule, { logger: false });
app.enableShutdownHooks(); // so SIGTERM delivers what is queued before the process ends
await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
console.log(`listening on ${await app.getUrl()}`);
