declare const __TRIBUTARY_VERSION__: string | undefined;

/** The package version, inlined at build time. */
export const VERSION: string =
  typeof __TRIBUTARY_VERSION__ === 'string' ? __TRIBUTARY_VERSION__ : '0.0.0-dev';

/** `context.library` of every message. */
export const LIBRARY = { name: '@tributary/core', version: VERSION } as const;
