// Next 15.0 ships `after` as `unstable_after` behind this flag; later versions ignore or warn on it.
const nextConfig = process.env.MATRIX_EXPERIMENTAL_AFTER === '1' ? { experimental: { after: true } } : {};
export default nextConfig;
