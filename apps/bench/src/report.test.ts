import { describe, expect, it } from 'vitest';
import { buildFrameworkTable, checkTargets, renderSvg, type SummaryTree } from './report.js';

const s = (median: number) => ({ median, min: median, max: median, n: 1 });

const tree: SummaryTree = {
  express: {
    defaults: {
      baseline: { reqPerSec: s(8000), p99Ms: s(2) },
      tributary: { ofBaseline: s(0.63), extraCpuUs: s(80), p99Ms: s(3) },
    },
  },
  frameworks: {
    'nest-fastify': {
      baseline: { reqPerSec: s(12000), p99Ms: s(1) },
      'tributary-track': { ofBaseline: s(0.95), extraCpuUs: s(9), p99Ms: s(1) },
    },
  },
};

describe('the per-framework overhead', () => {
  it('has a row per measured adapter path with its framework’s baseline, Express 5 taken from scenario 5', () => {
    const table = buildFrameworkTable(tree);
    expect(table?.rows).toEqual([
      ['Express 5', '@tributary/express', '8,000', '0.63', '80', '3 (2)'],
      ['NestJS on Fastify', '@Track()', '12,000', '0.95', '9', '1 (1)'],
    ]);
  });

  it('is left out of a run that measured no framework', () => {
    expect(buildFrameworkTable({ wire: {} })).toBeNull();
  });

  it('judges each adapter path against 0.9× and +10 µs, and leaves an unmeasured one open', () => {
    const checks = checkTargets(tree).filter((c) => c.target.startsWith('NestJS on Fastify'));
    expect(checks.map((c) => [c.target, c.met])).toEqual([
      ['NestJS on Fastify through @Track(): ≥ 0.9× baseline req/s', true],
      ['NestJS on Fastify through @Track(): ≤ +10 µs app CPU per request', true],
      ['NestJS on Fastify through AnalyticsService.track: ≥ 0.9× baseline req/s', null],
      ['NestJS on Fastify through AnalyticsService.track: ≤ +10 µs app CPU per request', null],
    ]);
  });

  it('shows AsyncLocalStorage.run alone as its own row before the adapter, never judged nor charted', () => {
    const withAls: SummaryTree = {
      express: {
        defaults: {
          ...tree.express!.defaults,
          'baseline-als': { ofBaseline: s(0.8), extraCpuUs: s(12), p99Ms: s(2) },
        },
      },
      frameworks: {
        'nest-fastify': {
          ...tree.frameworks!['nest-fastify'],
          'baseline-als': { ofBaseline: s(0.97), extraCpuUs: s(3), p99Ms: s(1) },
        },
      },
    };
    expect(buildFrameworkTable(withAls)?.rows).toEqual([
      ['Express 5', 'AsyncLocalStorage.run only (no analytics)', '8,000', '0.8', '12', '2 (2)'],
      ['Express 5', '@tributary/express', '8,000', '0.63', '80', '3 (2)'],
      [
        'NestJS on Fastify',
        'AsyncLocalStorage.run only (no analytics)',
        '12,000',
        '0.97',
        '3',
        '1 (1)',
      ],
      ['NestJS on Fastify', '@Track()', '12,000', '0.95', '9', '1 (1)'],
    ]);
    const targets = checkTargets(withAls).map((c) => c.target);
    expect(targets.filter((t) => t.includes('AsyncLocalStorage'))).toEqual([]);
    expect(targets).toEqual(checkTargets(tree).map((c) => c.target));
    expect(renderSvg(withAls, 'caption')).not.toContain('AsyncLocalStorage');
  });

  it('gets its own chart panel', () => {
    const svg = renderSvg(tree, 'caption');
    expect(svg).toContain('NestJS on Fastify: @Track()');
    expect(svg).toContain('Express 5: @tributary/express');
    expect(svg).not.toContain('NestJS on Express');
  });
});
