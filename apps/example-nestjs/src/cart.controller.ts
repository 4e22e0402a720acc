import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Inject,
  Post,
  Req,
  UseGuards,
} from '@nestjs/common';
import { Track } from '@tributary/nestjs';
import { AuthGuard } from './auth.guard.js';
import { Store, type CartLine } from './store.js';

interface AddBody {
  productId?: string;
  quantity?: number;
}

/** Guarded handlers: `@Track()` fires only when the guard let the request through. */
@Controller('cart')
@UseGuards(AuthGuard)
export class CartController {
  constructor(@Inject(Store) private readonly store: Store) {}

  @Post('items')
  @Track('Product Added', {
    properties: ({ body }) => ({
      productId: (body as AddBody).productId,
      quantity: (body as AddBody).quantity ?? 1,
    }),
  })
  add(@Req() request: { user: { id: string } }, @Body() body: AddBody): CartLine[] {
    const product = body.productId === undefined ? undefined : this.store.product(body.productId);
    if (product === undefined) throw new BadRequestException('unknown productId');
    const cart = this.store.cart(request.user.id);
    cart.push({ productId: product.id, quantity: body.quantity ?? 1 });
    return cart;
  }

  @Get()
  @Track<CartLine[]>('Cart Viewed', {
    properties: ({ result }) => ({ items: result?.length ?? 0 }),
  })
  view(@Req() request: { user: { id: string } }): CartLine[] {
    return this.store.cart(request.user.id);
  }
}
