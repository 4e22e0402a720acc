import type { CollectorStats } from '@tributary/collector';

const TYPE_ORDER = ['identify', 'track', 'page', 'screen', 'group', 'alias'];

/** The table of what the collector received, per message type, with a total line. */
export function summaryTable(stats: CollectorStats): string {
  const types = [...new Set([...TYPE_ORDER, ...Object.keys(stats.byType)])];
  const rows = types.map((type) => [type, String(stats.byType[type] ?? 0)] as const);
  const width = Math.max(8, ...types.map((t) => t.length));
  const line = (left: string, right: string) => `  ${left.padEnd(width)}  ${right.padStart(8)}`;
  const rule = line('─'.repeat(width), '─'.repeat(8));
  const rejected = Object.values(stats.rejectedRequests).reduce((a, b) => a + b, 0);
  const invalid = Object.values(stats.invalid).reduce((a, b) => a + b, 0);
  return [
    line('type', 'received'),
    rule,
    ...rows.map(([type, n]) => line(type, n)),
    rule,
    line('total', String(stats.total)),
    '',
    `  requests ${stats.requests} · duplicates ${stats.duplicates} · invalid ${invalid} · rejected requests ${rejected}`,
  ].join('\n');
}
