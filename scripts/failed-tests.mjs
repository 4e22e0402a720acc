// The failures in a vitest JSON report as one line each (`file > test: the error's first line`):
// CI keeps only the tail of a run's log, so `npm test` and the Node matrix end with these lines.
import { relative } from 'node:path';

const firstLine = (text) =>
  String(text ?? '')
    .split('\n')
    .find((line) => line.trim() !== '')
    ?.trim()
    .slice(0, 300) ?? '';

/** One line per failed test, and one per test file that failed without a failing test (a crash). */
export function failedTests(report, root) {
  const lines = [];
  for (const suite of report.testResults ?? []) {
    const file = relative(root, suite.name);
    const failed = (suite.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failed) {
      lines.push(`${file} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    }
    if (suite.status === 'failed' && failed.length === 0) {
      lines.push(`${file}: ${firstLine(suite.message) || 'failed without a failing test'}`);
    }
  }
  return lines;
}

/** Prints the lines under a heading, or nothing when there are none. */
export function printFailures(lines) {
  if (lines.length > 0) console.log(`\nfailed:\n${lines.map((line) => `  ✘ ${line}`).join('\n')}`);
}
