import { UseGuards } from '@nestjs/common';
import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Track } from '@tributary/nestjs';
import { BearerGuard } from './bearer.guard.js';
import { CartLine, PRODUCTS, Product, Review } from './catalog.js';
import { ReviewsService } from './reviews.service.js';

@Resolver(() => Product)
export class ProductsResolver {
  constructor(private readonly reviewsService: ReviewsService) {}

  @Query(() => Product, { nullable: true })
  @Track('Product Viewed', {
    properties: ({ body, result, graphql }) => ({
      productId: body.id,
      price: (result as Product | null)?.price,
      operation: graphql?.operationName,
      field: graphql?.fieldName,
    }),
  })
  product(@Args('id', { type: () => ID }) id: string): Product | null {
    return PRODUCTS[id] ?? null;
  }

  @ResolveField(() => [Review])
  reviews(@Parent() product: Product): Promise<Review[]> {
    return this.reviewsService.forProduct(product.id);
  }

  /** Answers after `ms` milliseconds: the SIGTERM test keeps these in flight. */
  @Query(() => Int)
  @Track('Slow Answered', { properties: ({ body }) => ({ ms: body.ms, tag: body.tag }) })
  async slow(
    @Args('ms', { type: () => Int }) ms: number,
    @Args('tag', { type: () => String }) _tag: string,
  ): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return ms;
  }

  @Mutation(() => CartLine)
  @UseGuards(BearerGuard)
  @Track('Product Added', {
    properties: ({ body, user }) => ({
      productId: body.productId,
      quantity: body.quantity,
      by: (user as { id: string }).id,
    }),
  })
  addToCart(
    @Args('productId', { type: () => ID }) productId: string,
    @Args('quantity', { type: () => Int }) quantity: number,
  ): CartLine {
    return { productId, quantity };
  }

  @Mutation(() => Boolean)
  @Track('Checkout Failed', {
    when: 'error',
    properties: ({ error, graphql }) => ({
      reason: (error as Error).message,
      operation: graphql?.operationName,
    }),
  })
  @Track('Checkout Completed')
  checkout(): boolean {
    throw new Error('card declined');
  }
}
