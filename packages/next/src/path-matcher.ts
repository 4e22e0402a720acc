/**
 * Which requests a page view is recorded for. A string is a path pattern: `'/docs'` matches
 * `/docs` and everything under it; `*` matches within one segment and `**` across segments
 * (`'/blog/*'`, `'/**\/edit'`). A RegExp is tested against the path; a function gets the request.
 */
export type PathMatcher = string | RegExp | ((request: Request) => boolean);

/** Paths that are never pages: Next's assets and data, API routes, files with an extension. */
export const DEFAULT_EXCLUDE: readonly PathMatcher[] = [
  '/_next',
  '/api',
  '/_vercel',
  /\/[^/]+\.[a-zA-Z0-9]+$/,
];

/** Whether `request` is a page view given `include` (defaults to every path) and `exclude`. */
export function isPageView(
  request: Request,
  include: readonly PathMatcher[] | undefined,
  exclude: readonly PathMatcher[] = DEFAULT_EXCLUDE,
): boolean {
  if (request.method !== 'GET') return false;
  // Next strips its own router headers (RSC, Next-Router-Prefetch) before the proxy runs, so a
  // link prefetch or a client-side navigation fetch is told apart from a page load by the
  // browser's Fetch Metadata: only a document load is a view. Browser prefetches say so too.
  const h = request.headers;
  const dest = h.get('sec-fetch-dest');
  if (dest !== null && dest !== 'document') return false;
  if (
    h.get('next-router-prefetch') !== null ||
    h.get('purpose') === 'prefetch' ||
    h.get('sec-purpose')?.includes('prefetch')
  ) {
    return false;
  }
  let path: string;
  try {
    path = new URL(request.url).pathname;
  } catch {
    return false;
  }
  if (include !== undefined && !include.some((m) => matches(m, path, request))) return false;
  return !exclude.some((m) => matches(m, path, request));
}

/** Whether one matcher accepts `path`. */
export function matches(matcher: PathMatcher, path: string, request: Request): boolean {
  if (typeof matcher === 'function') {
    try {
      return matcher(request);
    } catch {
      return false;
    }
  }
  if (matcher instanceof RegExp) return matcher.test(path);
  if (matcher.includes('*')) return globToRegExp(matcher).test(path);
  const prefix = matcher.replace(/\/+$/, '');
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

const globCache = new Map<string, RegExp>();

function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (re === undefined) {
    const source = glob
      .split(/(\*\*|\*)/)
      .map((part) =>
        part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('');
    re = new RegExp(`^${source}$`);
    globCache.set(glob, re);
  }
  return re;
}
