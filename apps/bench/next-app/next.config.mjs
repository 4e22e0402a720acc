/** @type {import('next').NextConfig} */
const nextConfig = {
  // The bench app lives in a monorepo and imports the harness's event from ../src: trace from the root.
  outputFileTracingRoot: new URL('../../..', import.meta.url).pathname,
  turbopack: { root: new URL('../../..', import.meta.url).pathname },
};

export default nextConfig;
