/**
 * `--compare <earlier.json>`: every figure of this run against an earlier run's, with the change in
 * percent, and a flag on each ratio that got worse by more than this run's own spread.
 */
import type { SummaryTree } from './report.js';
import { fmt, type Summary } from './summary.js';

/**
 * The figures measured against a yardstick taken in the same run (the app without analytics, the
 * wire limit, `JSON.stringify` in the same process): the only ones comparable across runs on a
 * machine whose speed drifts, so the only ones flagged. Absolute figures are printed, not judged.
 */
export const RATIO_METRICS: Record<string, 'higher' | 'lower'> = {
  ofBaseline: 'higher',
  ofWireLimit: 'higher',
  ofStringify: 'lower',
};

export interface FigureChange {
  scenario: string;
  variant: string;
  sdk: string;
  metric: string;
  earlier: number;
  now: number;
  /** `(now − earlier) / earlier` in percent; `null` when the earlier figure is 0. */
  changePercent: number | null;
  /** This run's min–max range of the figure: how far it moves between repetitions of one run. */
  spread: number;
  /** A ratio whose median moved the wrong way by more than `spread`. */
  regressed: boolean;
}

export interface Comparison {
  changes: FigureChange[];
  /** Rows (`scenario/variant sdk`) with figures only one of the two runs measured. */
  onlyEarlier: string[];
  onlyNow: string[];
}

/** Pairs every figure both runs measured; pure, so the arithmetic is tested apart from any run. */
export function compareRuns(earlier: SummaryTree, now: SummaryTree): Comparison {
  const changes: FigureChange[] = [];
  const before = flatten(earlier);
  const after = flatten(now);
  for (const [key, figure] of after) {
    const old = before.get(key);
    if (old === undefined) continue;
    const spread = figure.summary.max - figure.summary.min;
    const delta = figure.summary.median - old.summary.median;
    const better = RATIO_METRICS[figure.metric];
    const worseBy = better === undefined ? 0 : better === 'higher' ? -delta : delta;
    changes.push({
      scenario: figure.scenario,
      variant: figure.variant,
      sdk: figure.sdk,
      metric: figure.metric,
      earlier: old.summary.median,
      now: figure.summary.median,
      changePercent: old.summary.median === 0 ? null : (100 * delta) / old.summary.median,
      spread,
      regressed: better !== undefined && worseBy > spread,
    });
  }
  return {
    changes,
    onlyEarlier: rowsOf([...before.keys()].filter((k) => !after.has(k))),
    onlyNow: rowsOf([...after.keys()].filter((k) => !before.has(k))),
  };
}

/** Terminal lines: one per figure, grouped by scenario and variant, flagged ratios marked ✘. */
export function renderComparison(comparison: Comparison, earlierLabel: string): string {
  const lines = [`\nCompared with ${earlierLabel} (median then → now, change, this run's range):`];
  let group = '';
  for (const c of comparison.changes) {
    const heading = `${c.scenario}/${c.variant}`;
    if (heading !== group) {
      group = heading;
      lines.push(`  ${heading}`);
    }
    const change =
      c.changePercent === null
        ? 'n/a'
        : `${c.changePercent >= 0 ? '+' : ''}${c.changePercent.toFixed(1)}%`;
    const mark = c.regressed ? '✘' : c.metric in RATIO_METRICS ? '✔' : ' ';
    lines.push(
      `  ${mark} ${c.sdk.padEnd(18)} ${c.metric.padEnd(22)} ${fmt(c.earlier).padStart(9)} → ${fmt(c.now).padStart(9)}  ${change.padStart(8)}  ±${fmt(c.spread)}`,
    );
  }
  const regressed = comparison.changes.filter((c) => c.regressed);
  lines.push(
    regressed.length === 0
      ? `\nNo ratio got worse by more than this run's spread (${comparison.changes.filter((c) => c.metric in RATIO_METRICS).length} ratios compared).`
      : `\n${regressed.length} ratio(s) got worse by more than this run's spread:\n${regressed
          .map(
            (c) =>
              `  ✘ ${c.scenario}/${c.variant} ${c.sdk} ${c.metric}: ${fmt(c.earlier)} → ${fmt(c.now)} (range ${fmt(c.spread)})`,
          )
          .join('\n')}`,
  );
  if (comparison.onlyEarlier.length > 0)
    lines.push(`Only in the earlier run: ${comparison.onlyEarlier.join(', ')}`);
  if (comparison.onlyNow.length > 0)
    lines.push(`Only in this run: ${comparison.onlyNow.join(', ')}`);
  return lines.join('\n');
}

interface Figure {
  scenario: string;
  variant: string;
  sdk: string;
  metric: string;
  summary: Summary;
}

function flatten(tree: SummaryTree): Map<string, Figure> {
  const out = new Map<string, Figure>();
  for (const [scenario, variants] of Object.entries(tree))
    for (const [variant, sdks] of Object.entries(variants))
      for (const [sdk, metrics] of Object.entries(sdks))
        for (const [metric, summary] of Object.entries(metrics))
          if (summary !== null)
            out.set([scenario, variant, sdk, metric].join('\u0000'), {
              scenario,
              variant,
              sdk,
              metric,
              summary,
            });
  return out;
}

function rowsOf(keys: string[]): string[] {
  const rows = keys.map((key) => {
    const [scenario, variant, sdk] = key.split('\u0000');
    return `${scenario}/${variant} ${sdk}`;
  });
  return [...new Set(rows)];
}
