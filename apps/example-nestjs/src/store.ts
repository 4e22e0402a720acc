import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';

export interface User {
  id: string;
  email: string;
  password: string;
  plan: 'free' | 'pro';
  token: string;
}

export interface Product {
  id: string;
  name: string;
  price: number;
  category: string;
}

export interface CartLine {
  productId: string;
  quantity: number;
}

/** The shop's in-memory data: users, the catalogue, carts and orders. */
@Injectable()
export class Store {
  readonly users = new Map<string, User>();
  readonly carts = new Map<string, CartLine[]>();
  readonly products: Product[] = [
    { id: 'p-100', name: 'Trail Shoes', price: 89.5, category: 'shoes' },
    { id: 'p-200', name: 'Rain Jacket', price: 129, category: 'outerwear' },
    { id: 'p-300', name: 'Wool Socks', price: 12.25, category: 'accessories' },
  ];

  createUser(email: string, password: string, plan: User['plan']): User {
    const user: User = {
      id: `u-${randomUUID().slice(0, 8)}`,
      email,
      password,
      plan,
      token: randomUUID(),
    };
    this.users.set(user.id, user);
    return user;
  }

  findByEmail(email: string): User | undefined {
    return [...this.users.values()].find((u) => u.email === email);
  }

  findByToken(token: string): User | undefined {
    return [...this.users.values()].find((u) => u.token === token);
  }

  product(id: string): Product | undefined {
    return this.products.find((p) => p.id === id);
  }

  cart(userId: string): CartLine[] {
    let cart = this.carts.get(userId);
    if (cart === undefined) {
      cart = [];
      this.carts.set(userId, cart);
    }
    return cart;
  }
}
