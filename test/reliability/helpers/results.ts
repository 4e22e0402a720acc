import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { SOAK } from './sizes.js';

/** Where each scenario's counts are merged; `report.mjs` turns it into the table of docs/reliability.md. */
export const RESULTS_FILE = fileURLToPath(new URL('../results/last-run.json', import.meta.url));

/** One scenario's counts, as the report shows them. */
export interface ScenarioResult {
  /** Stable key, e.g. `faults/mix`. */
  id: string;
  title: string;
  /** Calls made (or requests sent, for collector-only scenarios). */
  sent: number;
  /** Calls that returned `true`. */
  accepted: number;
  /** Accepted messages the collector stored (exactly once each). */
  delivered: number;
  /** Copies the collector refused as duplicates of a stored messageId (retries after lost answers). */
  duplicated: number;
  /** Messages reported through `onError`: calls refused (`false`) plus accepted messages given up on. */
  reported: number;
  /** Accepted, never stored and never reported. The claim is that this is always 0. */
  lost: number;
  /** Anything else worth reading next to the counts: faults drawn, codes, seed. */
  notes?: string;
  durationMs?: number;
}

type Mode = 'npm test' | 'soak';
/** The test's verdict: the counts can be clean while another assertion of the same test failed. */
type Outcome = 'passed' | 'failed' | 'unfinished';

interface ResultsFile {
  updatedAt: string;
  /** The last result of each scenario, per mode: a soak run does not overwrite the bounded numbers. */
  runs: Partial<
    Record<
      Mode,
      {
        updatedAt: string;
        scenarios: Record<string, ScenarioResult & { mode: Mode; at: string; outcome: Outcome }>;
      }
    >
  >;
}

/**
 * Merges one scenario's result into results/last-run.json (each test file runs in its own worker)
 * and, once the calling test has finished, its verdict with the first failure.
 */
export function recordResult(result: ScenarioResult): void {
  write(result, 'unfinished');
  onTestFinished(({ task }) => {
    const failed = task.result?.state === 'fail';
    const why = failed
      ? (task.result?.errors?.[0]?.message ?? '').split('\n')[0]?.slice(0, 200)
      : undefined;
    write(
      { ...result, notes: why ? `FAILED: ${why}; ${result.notes ?? ''}` : result.notes },
      failed ? 'failed' : 'passed',
    );
  });
  console.log(
    `[reliability] ${result.id}: sent ${result.sent}, accepted ${result.accepted}, delivered ${result.delivered}, ` +
      `duplicated ${result.duplicated}, reported ${result.reported}, lost ${result.lost}` +
      (result.notes ? ` (${result.notes})` : ''),
  );
}

function write(result: ScenarioResult, outcome: Outcome): void {
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  let file: ResultsFile = { updatedAt: '', runs: {} };
  try {
    const read = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as ResultsFile;
    if (typeof read.runs === 'object' && read.runs !== null) file = read;
  } catch {
    // First run: start a new file.
  }
  const at = new Date().toISOString();
  const mode: Mode = SOAK ? 'soak' : 'npm test';
  const run = (file.runs[mode] ??= { updatedAt: at, scenarios: {} });
  file.updatedAt = at;
  run.updatedAt = at;
  run.scenarios[result.id] = { ...result, mode, at, outcome };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(file, null, 2)}\n`);
}
