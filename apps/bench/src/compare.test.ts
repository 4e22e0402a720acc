import { describe, expect, it } from 'vitest';
import { compareRuns, renderComparison } from './compare.js';
import type { SummaryTree } from './report.js';

const s = (median: number, min = median, max = median) => ({ median, min, max, n: 3 });

const tree = (
  figures: Record<string, ReturnType<typeof s> | null>,
  scenario = 'express',
  variant = 'defaults',
  sdk = 'tributary',
): SummaryTree => ({ [scenario]: { [variant]: { [sdk]: figures } } });

describe('compareRuns', () => {
  it('gives the change of every figure both runs measured in percent of the earlier median', () => {
    const { changes } = compareRuns(tree({ reqPerSec: s(8000) }), tree({ reqPerSec: s(6000) }));
    expect(changes).toEqual([
      expect.objectContaining({
        metric: 'reqPerSec',
        earlier: 8000,
        now: 6000,
        changePercent: -25,
      }),
    ]);
  });

  it('flags a higher-is-better ratio that fell by more than this run’s min–max range', () => {
    const { changes } = compareRuns(
      tree({ ofBaseline: s(0.8, 0.75, 0.85) }),
      tree({ ofBaseline: s(0.6, 0.58, 0.64) }),
    );
    expect(changes[0]).toMatchObject({ regressed: true });
    expect(changes[0]!.spread).toBeCloseTo(0.06);
  });

  it('does not flag a ratio that fell by less than this run’s spread', () => {
    const { changes } = compareRuns(
      tree({ ofBaseline: s(0.8) }),
      tree({ ofBaseline: s(0.75, 0.6, 0.9) }),
    );
    expect(changes[0]).toMatchObject({ regressed: false });
  });

  it('flags a lower-is-better ratio that rose beyond the spread, and not one that fell', () => {
    const worse = compareRuns(
      tree({ ofStringify: s(1.2) }, 'call-cost', 'tuned'),
      tree({ ofStringify: s(1.5, 1.45, 1.55) }, 'call-cost', 'tuned'),
    );
    const better = compareRuns(
      tree({ ofStringify: s(1.5) }, 'call-cost', 'tuned'),
      tree({ ofStringify: s(1.0, 0.95, 1.05) }, 'call-cost', 'tuned'),
    );
    expect(worse.changes[0]).toMatchObject({ regressed: true });
    expect(better.changes[0]).toMatchObject({ regressed: false });
  });

  it('never flags an absolute figure, however far it moved', () => {
    const { changes } = compareRuns(tree({ cpuPerReqUs: s(100) }), tree({ cpuPerReqUs: s(300) }));
    expect(changes[0]).toMatchObject({ changePercent: 200, regressed: false });
  });

  it('lists rows only one run measured instead of pairing them, and skips unmeasured figures', () => {
    const earlier: SummaryTree = {
      express: { defaults: { tributary: { ofBaseline: s(0.6) }, segment: { ofBaseline: s(0.4) } } },
    };
    const now: SummaryTree = {
      express: { defaults: { tributary: { ofBaseline: s(0.6), p99Ms: null } } },
      frameworks: { next: { tributary: { ofBaseline: s(0.9) } } },
    };
    const comparison = compareRuns(earlier, now);
    expect(comparison.changes.map((c) => `${c.sdk} ${c.metric}`)).toEqual(['tributary ofBaseline']);
    expect(comparison.onlyEarlier).toEqual(['express/defaults segment']);
    expect(comparison.onlyNow).toEqual(['frameworks/next tributary']);
  });

  it('gives no percentage against an earlier figure of zero', () => {
    const { changes } = compareRuns(tree({ duplicates: s(0) }), tree({ duplicates: s(2) }));
    expect(changes[0]).toMatchObject({ changePercent: null, regressed: false });
  });
});

describe('renderComparison', () => {
  it('prints each figure with its change and names every regressed ratio at the end', () => {
    const text = renderComparison(
      compareRuns(
        tree({ ofBaseline: s(0.8), reqPerSec: s(8000) }),
        tree({ ofBaseline: s(0.6, 0.58, 0.62), reqPerSec: s(6000) }),
      ),
      'results/baseline.json',
    );
    expect(text).toContain('Compared with results/baseline.json');
    expect(text).toMatch(/reqPerSec\s+8,000 →\s+6,000\s+-25\.0%/);
    expect(text).toMatch(/✘ tributary\s+ofBaseline/);
    expect(text).toContain("1 ratio(s) got worse by more than this run's spread");
  });
});
