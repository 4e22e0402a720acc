// The lint enforces the architecture: adapters use only core's public entry points, and core
// imports no framework. These probes are linted in memory, as if they lived at those paths.
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
// Type information is irrelevant to import rules; skipping it lets the probes be virtual files.
const eslint = new ESLint({ cwd: root, overrideConfig: [tseslint.configs.disableTypeChecked] });

async function lint(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('package boundaries', () => {
  it('fails the lint when an adapter imports core internals', async () => {
    const messages = await lint(
      'packages/express/src/probe.ts',
      "import { Delivery } from '@tributary/core/src/delivery/delivery.js';\nexport const d = Delivery;\n",
    );
    expect(messages.join('\n')).toContain('no-restricted-imports');
    expect(messages.join('\n')).toContain('public entry points of @tributary/core');
  });

  it('fails the lint when an adapter reaches into core by a relative path', async () => {
    const messages = await lint(
      'packages/nestjs/src/probe.ts',
      "import { x } from '../../core/src/analytics.js';\nexport { x };\n",
    );
    expect(messages.join('\n')).toContain('no-restricted-imports');
  });

  it('accepts the public entry points, the adapter kit included', async () => {
    const messages = await lint(
      'packages/next/src/probe.ts',
      "import { Analytics } from '@tributary/core';\nimport { createTestAnalytics } from '@tributary/core/testing';\nimport { createRequestScope } from '@tributary/core/adapter';\nexport { Analytics, createTestAnalytics, createRequestScope };\n",
    );
    expect(messages).toEqual([]);
  });

  it('fails the lint when an adapter imports another adapter, by name or by path', async () => {
    const byName = await lint(
      'packages/nestjs/src/probe.ts',
      "import { analyticsMiddleware } from '@tributary/express';\nexport { analyticsMiddleware };\n",
    );
    expect(byName.join('\n')).toContain('Adapters do not import each other');
    const byPath = await lint(
      'packages/next/src/probe.ts',
      "import { routeTemplate } from '../../express/src/request-events.js';\nexport { routeTemplate };\n",
    );
    expect(byPath.join('\n')).toContain('Adapters do not import each other');
  });

  // `no-explicit-any` needs no type information; the no-unsafe-* rules are proven by the typed lint of each package.
  it('fails the lint on an unexplained `any` in package sources, but not in their tests', async () => {
    const source = await lint('packages/express/src/probe.ts', 'export const x: any = 1;\n');
    expect(source.join('\n')).toContain('no-explicit-any');
    const test = await lint('packages/express/src/probe.test.ts', 'export const x: any = 1;\n');
    expect(test.join('\n')).not.toContain('no-explicit-any');
  });

  it('fails the lint when core imports a framework', async () => {
    const messages = await lint(
      'packages/core/src/probe.ts',
      "import express from 'express';\nexport const e = express;\n",
    );
    expect(messages.join('\n')).toContain('framework-neutral');
  });
});
