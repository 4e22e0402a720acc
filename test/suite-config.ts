import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * The vitest settings every cross-package suite shares: run from the repository root, one file at a
 * time (they start real processes on a 2-core machine), a JSON report in `.reports/`.
 */
export function suiteConfig(suite: {
  include: string[];
  exclude?: string[];
  report: string;
  hookTimeout: number;
}): ViteUserConfig {
  return defineConfig({
    test: {
      root: new URL('..', import.meta.url).pathname,
      include: suite.include,
      ...(suite.exclude === undefined ? {} : { exclude: suite.exclude }),
      reporters: ['default', 'json'],
      outputFile: { json: `.reports/${suite.report}.json` },
      testTimeout: 60_000,
      hookTimeout: suite.hookTimeout,
      fileParallelism: false,
    },
  });
}
