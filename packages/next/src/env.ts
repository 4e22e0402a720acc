/** Reads an environment variable on Node and in Next's edge sandbox; empty counts as unset. */
export function readEnv(name: string): string | undefined {
  try {
    const value = typeof process === 'undefined' ? undefined : process.env[name];
    return value === '' ? undefined : value;
  } catch {
    return undefined;
  }
}

/**
 * Whether this process is `next build`. Touching a request while prerendering would mark the
 * route dynamic, and a build must never send events, so every entry point checks it.
 */
export function isBuildPhase(): boolean {
  return readEnv('NEXT_PHASE') === 'phase-production-build';
}

/** Variables that serverless hosts set; where one is present the function may freeze after the response. */
export const SERVERLESS_ENV_VARS = [
  'VERCEL',
  'AWS_LAMBDA_FUNCTION_NAME',
  'LAMBDA_TASK_ROOT',
  'NETLIFY',
  'K_SERVICE',
  'FUNCTIONS_WORKER_RUNTIME',
  'CF_PAGES',
] as const;

/** Whether the host is a serverless platform (by its environment variables). */
export function isServerless(env: (name: string) => string | undefined = readEnv): boolean {
  return SERVERLESS_ENV_VARS.some((name) => env(name) !== undefined);
}
