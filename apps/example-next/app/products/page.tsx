import { getAnalytics } from '@tributary/next';
import { products } from '../../lib/catalog';

/** A Server Component: `getAnalytics()` reads the request's headers, so this page renders per request. */
export default async function ProductsPage() {
  const analytics = await getAnalytics();
  analytics.track({
    event: 'Product List Viewed',
    properties: { list_id: 'all', products: products.length },
  });
  return (
    <main>
      <h1>Products</h1>
      <ul>
        {products.map((product) => (
          <li key={product.id}>
            {product.name}: ${product.price}
          </li>
        ))}
      </ul>
    </main>
  );
}
