export interface Product {
  id: string;
  name: string;
  price: number;
}

export const products: Product[] = [
  { id: 'tea-1', name: 'Sencha', price: 12 },
  { id: 'tea-2', name: 'Genmaicha', price: 9 },
  { id: 'cup-1', name: 'Tea cup', price: 15 },
];
