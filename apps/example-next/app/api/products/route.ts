import { withAnalytics } from '@tributary/next';
import { products } from '../../../lib/catalog';

/** GET /api/products?q=tea: the handler gets the request-bound client as its third argument. */
export const GET = withAnalytics(async (request: Request, _context: unknown, analytics) => {
  const query = new URL(request.url).searchParams.get('q') ?? '';
  const results = products.filter(
    (product) => product.name.toLowerCase().includes(query.toLowerCase()) || query === '',
  );
  analytics.track({ event: 'Products Searched', properties: { query, results: results.length } });
  return Response.json({ query, results });
});
