// packages/express/README.md, "Quick start" (server.mjs); the port comes from PORT so tests use a free one.
import express from 'express';
import { analyticsErrorHandler, analyticsMiddleware, registerShutdown } from '@tributary/express';

const app = express();
const analytics = analyticsMiddleware({
  writeKey: process.env.SEGMENT_WRITE_KEY ?? 'dev-write-key',
  host: process.env.SEGMENT_HOST ?? 'http://127.0.0.1:4318', // leave out to send to Segment
  trackRequests: true,
});
app.use(analytics);

app.get('/products/:id', (req, res) => {
  // No userId or context needed: they come from the request.
  req.analytics.track({ event: 'Product Viewed', properties: { product_id: req.params.id } });
  res.json({ id: req.params.id });
});

app.use(analyticsErrorHandler());

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () =>
  console.log(`listening on http://127.0.0.1:${server.address().port}`),
);
registerShutdown(server, analytics.client); // SIGTERM/SIGINT: finish requests, deliver events, exit 0
