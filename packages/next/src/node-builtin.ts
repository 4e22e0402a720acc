/**
 * A Node.js built-in module loaded at run time, or `undefined` on the edge runtime. Loading it
 * through `process.getBuiltinModule` (Node 20.16+) keeps it out of every bundle, so the entries
 * that also run on the edge stay free of `node:` imports.
 */
export function nodeBuiltin<T>(name: string): T | undefined {
  const proc = (
    globalThis as {
      process?: {
        env?: Record<string, string | undefined>;
        getBuiltinModule?: (id: string) => unknown;
      };
    }
  ).process;
  try {
    if (proc?.env?.NEXT_RUNTIME === 'edge') return undefined;
    return proc?.getBuiltinModule?.(name) as T | undefined;
  } catch {
    return undefined;
  }
}
