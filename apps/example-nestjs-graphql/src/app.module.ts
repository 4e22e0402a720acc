import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { AnalyticsModule } from '@tributary/nestjs';
import { LiveGateway } from './live.gateway.js';
import { OrdersController, type OrderMessage } from './orders.controller.js';
import { ProductsResolver } from './products.resolver.js';
import { ReviewsService } from './reviews.service.js';

export type Platform = 'express' | 'fastify';

/** GraphQL through Apollo on Express or Mercurius on Fastify, with the same resolvers. */
function graphql(platform: Platform): DynamicModule {
  // Field resolvers run interceptors only when asked to; then they share their request's scope.
  if (platform === 'fastify') {
    return GraphQLModule.forRoot<MercuriusDriverConfig>({
      driver: MercuriusDriver,
      autoSchemaFile: true,
      allowBatchedQueries: true,
      fieldResolverEnhancers: ['interceptors', 'guards'],
    });
  }
  return GraphQLModule.forRoot<ApolloDriverConfig>({
    driver: ApolloDriver,
    autoSchemaFile: true,
    allowBatchedHttpRequests: true,
    fieldResolverEnhancers: ['interceptors', 'guards'],
  });
}

@Module({})
export class AppModule {
  static forPlatform(platform: Platform): DynamicModule {
    const flushAt = process.env.TRIBUTARY_FLUSH_AT;
    return {
      module: AppModule,
      imports: [
        graphql(platform),
        AnalyticsModule.forRoot({
          writeKey: process.env.TRIBUTARY_WRITE_KEY ?? 'demo-write-key',
          host: process.env.TRIBUTARY_HOST,
          ...(flushAt === undefined ? {} : { flushAt: Number(flushAt) }),
          shutdownTimeout: Number(process.env.TRIBUTARY_SHUTDOWN_TIMEOUT ?? 5000),
          // A microservice message carries its identity; HTTP, GraphQL and gateways keep the defaults.
          resolveUser: (request, context) =>
            context.getType() === 'rpc'
              ? context.switchToRpc().getData<OrderMessage>().userId
              : (request.user as { id?: string } | undefined)?.id,
          resolveAnonymousId: (_request, context) =>
            context.getType() === 'rpc'
              ? context.switchToRpc().getData<OrderMessage>().anonymousId
              : undefined,
        }),
      ],
      controllers: [OrdersController],
      providers: [ProductsResolver, ReviewsService, LiveGateway],
    };
  }
}
