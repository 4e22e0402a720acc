// The route the Next README's testing excerpt calls: the README's own app/api/checkout/route.ts.
import { POST } from './checkout-route.js';
