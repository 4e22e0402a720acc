// The per-framework scenario's Next.js baseline: the same route handler without analytics.
import { ORDER } from '../../order';

export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json(ORDER);
}
