// @tributary/next from its tarball: both entries load through import and require, beside Next.
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
const esm = await import('@tributary/next');
const cjs = require('@tributary/next');
const edge = await import('@tributary/next/middleware');
for (const name of ['withAnalytics', 'withAnalyticsMiddleware', 'getAnalytics', 'initAnalytics']) {
  assert.equal(typeof esm[name], 'function', `import: ${name}`);
  assert.equal(typeof cjs[name], 'function', `require: ${name}`);
}
assert.equal(typeof edge.withAnalyticsMiddleware, 'function');
console.log('next entries ok');
