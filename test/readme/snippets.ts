import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A ```ts block of a README. The info string after `ts` says how it is checked:
 * - nothing: a complete module, type-checked on its own;
 * - `context=<name>`: an excerpt, type-checked after `test/readme/context/<name>.ts` (which
 *   declares what the excerpt takes from around it, e.g. `declare const analytics: Analytics`);
 * - `name=<name>`: other blocks' contexts may import it as `./<name>.js`;
 * - `run`: also executed with Node (it must exit 0), with a live collector's URL in
 *   `TRIBUTARY_COLLECTOR_URL`;
 * - `outline`: a sketch with `…` for bodies, not compiled (it must contain `…`).
 */
export interface Snippet {
  /** The README, relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** 1-based index of the block among the README's ```ts blocks. */
  index: number;
  info: string;
  code: string;
  context: string | undefined;
  name: string | undefined;
  run: boolean;
  outline: boolean;
  /** Words of the info string this check does not know (a typo would silently weaken it). */
  unknown: string[];
}

/** The pages whose snippets are checked: the root README, each package's, and the migration guide. */
export function readmeFiles(root: string): string[] {
  const files = ['README.md', 'docs/migrating.md'];
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    const file = join('packages', name, 'README.md');
    if (existsSync(join(root, file))) files.push(file);
  }
  return files;
}

/** Every ```ts block of `file` (relative to `root`). */
export function extractSnippets(root: string, file: string): Snippet[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})\s*(ts|typescript)(?:\s+(.*))?$/.exec(lines[i]!);
    if (open === null) {
      // Skip other fenced blocks whole, so a ```ts inside them is not taken for a block.
      const other = /^(`{3,}|~{3,})/.exec(lines[i]!);
      if (other !== null) {
        const fence = other[1]!;
        while (++i < lines.length && !lines[i]!.startsWith(fence));
      }
      continue;
    }
    const fence = open[1]!;
    const info = (open[3] ?? '').trim();
    const body: string[] = [];
    const start = i;
    while (++i < lines.length && !lines[i]!.startsWith(fence)) body.push(lines[i]!);
    const words = info === '' ? [] : info.split(/\s+/);
    const value = (key: string) =>
      words.find((w) => w.startsWith(`${key}=`))?.slice(key.length + 1) || undefined;
    snippets.push({
      file,
      line: start + 1,
      index: snippets.length + 1,
      info,
      code: body.join('\n'),
      context: value('context'),
      name: value('name'),
      run: words.includes('run'),
      outline: words.includes('outline'),
      unknown: words.filter(
        (w) => !['run', 'outline'].includes(w) && !/^(context|name)=[\w-]+$/.test(w),
      ),
    });
  }
  return snippets;
}

/** `packages/next/README.md:232 (ts block 8)`: where to look. */
export function where(snippet: Snippet, lineInBlock?: number): string {
  const line = lineInBlock === undefined ? snippet.line : snippet.line + lineInBlock;
  return `${snippet.file}:${line} (ts block ${snippet.index}${snippet.info ? `, "${snippet.info}"` : ''})`;
}
