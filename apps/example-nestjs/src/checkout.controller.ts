import { Controller, Inject, Post, Req, UseGuards } from '@nestjs/common';
import { AuthGuard } from './auth.guard.js';
import { CheckoutService, type Order } from './checkout.service.js';

@Controller('checkout')
@UseGuards(AuthGuard)
export class CheckoutController {
  constructor(@Inject(CheckoutService) private readonly checkoutService: CheckoutService) {}

  @Post()
  checkout(@Req() request: { user: { id: string } }): Promise<Order> {
    return this.checkoutService.checkout(request.user.id);
  }
}
