// One fixture for every Next in the matrix. Next 15.0 ships `after` as `unstable_after` behind
// `experimental.after`; a second dist dir lets one install build with Turbopack and with webpack.
const nextConfig = {
  distDir: process.env.MATRIX_DIST_DIR ?? '.next',
  ...(process.env.MATRIX_EXPERIMENTAL_AFTER === '1' ? { experimental: { after: true } } : {}),
};
export default nextConfig;
