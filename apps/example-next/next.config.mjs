/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // The example lives in a monorepo: trace files from its root.
  outputFileTracingRoot: new URL('../..', import.meta.url).pathname,
  turbopack: { root: new URL('../..', import.meta.url).pathname },
};

export default nextConfig;
