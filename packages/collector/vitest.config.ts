import { packageConfig } from '../../vitest.packages.js';

export default packageConfig({ typecheck: true });
