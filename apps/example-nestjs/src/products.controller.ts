import { Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { Track } from '@tributary/nestjs';
import { Store, type Product } from './store.js';

@Controller('products')
export class ProductsController {
  constructor(@Inject(Store) private readonly store: Store) {}

  @Get()
  @Track<Product[]>('Products Searched', {
    properties: ({ query, result }) => ({ query: query.q ?? '', results: result?.length ?? 0 }),
  })
  search(@Query('q') q = ''): Product[] {
    return this.store.products.filter((p) => p.name.toLowerCase().includes(q.toLowerCase()));
  }

  @Get(':id')
  @Track<Product>('Product Viewed', {
    properties: ({ result }) => ({
      productId: result?.id,
      name: result?.name,
      price: result?.price,
    }),
  })
  view(@Param('id') id: string): Product {
    const product = this.store.product(id);
    if (product === undefined) throw new NotFoundException(`no product ${id}`);
    return product;
  }
}
