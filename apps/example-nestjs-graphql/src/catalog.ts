import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType()
export class Review {
  @Field(() => Int)
  stars!: number;

  @Field(() => String)
  text!: string;
}

@ObjectType()
export class Product {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Int)
  price!: number;
}

@ObjectType()
export class CartLine {
  @Field(() => ID)
  productId!: string;

  @Field(() => Int)
  quantity!: number;
}

export const PRODUCTS: Record<string, Product> = {
  'p-100': { id: 'p-100', name: 'Trail Shoe', price: 89 },
  'p-200': { id: 'p-200', name: 'Rain Jacket', price: 129 },
};
