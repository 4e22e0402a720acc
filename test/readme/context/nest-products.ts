// The app module the NestJS testing excerpt mounts: the README quick start's products controller.
import 'reflect-metadata';
import { Controller, Get, Module, Param } from '@nestjs/common';
import { Track } from '@tributary/nestjs';

@Controller('products')
class ProductsController {
  @Get(':id')
  @Track('Product Viewed', { properties: ({ params }) => ({ productId: params.id }) })
  view(@Param('id') id: string) {
    return { id };
  }
}

@Module({ controllers: [ProductsController] })
class ProductsModule {}
