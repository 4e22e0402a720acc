import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * The vitest settings every package's own suite shares: tests beside the code (`src/`) and
 * end to end in the package (`test/`), a JSON report in `.reports/` for `npm test`'s summary.
 * `typecheck` also checks the type tests (`src/**\/*.test-d.ts`) against the package's tsconfig.
 */
export function packageConfig(options: { typecheck?: boolean } = {}): ViteUserConfig {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      ...(options.typecheck === true
        ? {
            typecheck: {
              enabled: true,
              include: ['src/**/*.test-d.ts'],
              tsconfig: './tsconfig.json',
            },
          }
        : {}),
      reporters: ['default', 'json'],
      outputFile: { json: '.reports/vitest.json' },
      testTimeout: 20_000,
      hookTimeout: 30_000,
      // A poll waits for something that is bound to happen; vitest's 1 s is too short a window on
      // a loaded 2-core CI machine (builds, type checks and Chromium beside the suites), and a
      // longer one costs a passing run nothing.
      expect: { poll: { timeout: 10_000 } },
    },
  });
}
