import { Module } from '@nestjs/common';
import { AnalyticsModule, type AnalyticsModuleOptions } from '@tributary/nestjs';
import { AccountsController } from './accounts.controller.js';
import { AuthGuard } from './auth.guard.js';
import { CartController } from './cart.controller.js';
import { CheckoutController } from './checkout.controller.js';
import { CheckoutService } from './checkout.service.js';
import { ConfigModule, ConfigService } from './config.js';
import { HealthController } from './health.controller.js';
import { PaymentsService } from './payments.service.js';
import { ProductsController } from './products.controller.js';
import { Store } from './store.js';

@Module({
  imports: [
    ConfigModule,
    AnalyticsModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService): AnalyticsModuleOptions => ({
        writeKey: config.get('TRIBUTARY_WRITE_KEY', 'demo-write-key'),
        host: config.get('TRIBUTARY_HOST'),
        // Unset means the core default; a bad value (TRIBUTARY_FLUSH_AT=0) is refused at startup.
        flushAt: config.number('TRIBUTARY_FLUSH_AT'),
        shutdownTimeout: config.number('TRIBUTARY_SHUTDOWN_TIMEOUT'),
      }),
    }),
  ],
  controllers: [
    AccountsController,
    ProductsController,
    CartController,
    CheckoutController,
    HealthController,
  ],
  providers: [Store, AuthGuard, CheckoutService, PaymentsService],
})
export class AppModule {}
