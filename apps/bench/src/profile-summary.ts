/**
 * `node apps/bench/dist/profile-summary.mjs <file.cpuprofile>… [--top N]`: where a profiled run's
 * CPU went (`--cpu-prof <variant>` writes the profiles to results/profiles/): the share of busy
 * time by package, the top functions by self time, and the inclusive time of Tributary's functions.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** The parts of a V8 `.cpuprofile` this reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled microseconds outside `(idle)`. */
  busyUs: number;
  /** Busy microseconds by package (`@tributary/core`, `router`, `node:_http_server`, `(garbage collector)` …). */
  byGroup: [string, number][];
  /** Busy microseconds by function (`name url:line`), self time only. */
  bySelf: [string, number][];
  /** Microseconds spent in each Tributary function and everything it called, counted once per stack. */
  tributaryInclusive: [string, number][];
}

type Node = CpuProfile['nodes'][number];

function groupOf(node: Node): string {
  const { url, functionName } = node.callFrame;
  if (url === '') return functionName;
  const workspace = /\/packages\/([^/]+)\//.exec(url);
  if (workspace !== null && !url.includes('node_modules')) return `@tributary/${workspace[1]}`;
  if (url.startsWith('node:internal/')) return `node:internal/${url.slice(14).split('/')[0]}`;
  if (url.startsWith('node:')) return url;
  const dependency = /.*node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  return dependency?.[1] ?? basename(url);
}

function nameOf(node: Node): string {
  const { url, functionName, lineNumber } = node.callFrame;
  const where = url
    .replace(/^.*node_modules\//, '')
    .replace(/^file:\/\/.*\/(packages|apps)\//, '$1/');
  return `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
}

const sorted = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1]);

/** Pure: aggregates one profile's samples. */
export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) =>
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  );
  const byGroup = new Map<string, number>();
  const bySelf = new Map<string, number>();
  let busyUs = 0;
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') continue;
    busyUs += us;
    byGroup.set(groupOf(node), (byGroup.get(groupOf(node)) ?? 0) + us);
    bySelf.set(nameOf(node), (bySelf.get(nameOf(node)) ?? 0) + us);
  }
  const inclusive = new Map<number, number>();
  const total = (id: number): number => {
    const known = inclusive.get(id);
    if (known !== undefined) return known;
    const us =
      (self.get(id) ?? 0) + (byId.get(id)!.children ?? []).reduce((t, c) => t + total(c), 0);
    inclusive.set(id, us);
    return us;
  };
  const tributary = new Map<string, number>();
  const walk = (id: number, onStack: Set<string>): void => {
    const node = byId.get(id)!;
    let stack = onStack;
    if (groupOf(node).startsWith('@tributary/')) {
      const name = nameOf(node);
      if (!onStack.has(name)) {
        tributary.set(name, (tributary.get(name) ?? 0) + total(id));
        stack = new Set(onStack).add(name);
      }
    }
    for (const child of node.children ?? []) walk(child, stack);
  };
  if (profile.nodes[0] !== undefined) walk(profile.nodes[0].id, new Set());
  return {
    busyUs,
    byGroup: sorted(byGroup),
    bySelf: sorted(bySelf),
    tributaryInclusive: sorted(tributary),
  };
}

export function renderProfileSummary(name: string, summary: ProfileSummary, top: number): string {
  const share = (us: number) => `${((100 * us) / summary.busyUs).toFixed(1).padStart(5)}%`;
  const list = (rows: [string, number][]) =>
    rows.slice(0, top).map(([k, us]) => `  ${share(us)}  ${k}`);
  return [
    `${name}: ${(summary.busyUs / 1e6).toFixed(2)} s busy`,
    'by package (share of busy time):',
    ...list(summary.byGroup),
    'top functions by self time:',
    ...list(summary.bySelf),
    'Tributary functions, inclusive:',
    ...list(summary.tributaryInclusive),
  ].join('\n');
}

if (process.argv[1] !== undefined && basename(process.argv[1]).startsWith('profile-summary')) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--top');
  const top = at === -1 ? 25 : Number(args.splice(at, 2)[1]);
  if (args.length === 0) {
    console.error('usage: profile-summary <file.cpuprofile>… [--top N]');
    process.exitCode = 2;
  }
  for (const file of args) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    console.log(`${renderProfileSummary(basename(file), summarizeProfile(profile), top)}\n`);
  }
}
