// @ts-check
/**
 * Drives the example app over HTTP like a visitor would: anonymous browsing (the proxy seeds
 * `ajs_anonymous_id`), a search, a Server Action, sign-in, a checkout, the Pages API route and the
 * edge route. Plain JavaScript, no build: `node -e "import('./journey.mjs').then(m => m.runNextJourney('http://127.0.0.1:3000'))"`.
 */

/**
 * @param {string} baseUrl the running app, e.g. `http://127.0.0.1:3000`
 * @param {{ userId?: string }} [options]
 * @returns {Promise<{ anonymousId: string | undefined, userId: string, steps: { step: string, status: number }[] }>}
 */
export async function runNextJourney(baseUrl, options = {}) {
  const userId = options.userId ?? 'user-42';
  /** @type {{ step: string, status: number }[]} */
  const steps = [];
  const jar = new Map();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  /** @param {string} step @param {string} path @param {RequestInit} [init] */
  const visit = async (step, path, init = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('cookie', cookieHeader());
    headers.set('user-agent', headers.get('user-agent') ?? 'tributary-journey/1.0');
    headers.set('accept-language', 'en-US,en;q=0.9');
    const response = await fetch(new URL(path, baseUrl), { redirect: 'manual', ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    await response.arrayBuffer();
    steps.push({ step, status: response.status });
    return response;
  };

  await visit('home page (anonymous)', '/');
  await visit('products page', '/products', { headers: { referer: new URL('/', baseUrl).href } });
  await visit('search', '/api/products?q=tea');
  await submitServerAction(
    baseUrl,
    '/newsletter',
    { list: 'weekly' },
    { cookie: cookieHeader() },
  ).then((r) => steps.push({ step: 'newsletter (Server Action)', status: r.status }));
  jar.set('demo_user', encodeURIComponent(userId));
  await visit('checkout (signed in)', '/api/checkout', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ items: [{ id: 'tea-1', quantity: 2 }, { id: 'cup-1' }] }),
  });
  await visit('legacy Pages API route', '/api/legacy');
  await visit('edge route', '/api/edge');
  const raw = jar.get('ajs_anonymous_id');
  const anonymousId = raw === undefined ? undefined : JSON.parse(decodeURIComponent(raw));
  return { anonymousId, userId, steps };
}

/**
 * Submits a page's `<form action={serverAction}>` the way a browser without JavaScript does:
 * reads the action's hidden `$ACTION_ID_…` field from the page and posts the form to the page.
 * @param {string} baseUrl
 * @param {string} path the page with the form
 * @param {Record<string, string>} fields
 * @param {Record<string, string>} [headers]
 */
export async function submitServerAction(baseUrl, path, fields, headers = {}) {
  const page = await fetch(new URL(path, baseUrl), { headers });
  const html = await page.text();
  const match = /name="(\$ACTION_ID_[^"]+)"/.exec(html);
  const actionField = match?.[1];
  if (actionField === undefined) throw new Error(`no Server Action form on ${path}`);
  const form = new FormData();
  form.set(actionField, '');
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  const response = await fetch(new URL(path, baseUrl), {
    method: 'POST',
    body: form,
    headers,
    redirect: 'manual',
  });
  await response.arrayBuffer();
  return response;
}
