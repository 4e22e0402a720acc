declare const __COLLECTOR_VERSION__: string | undefined;

/** The package version, inlined at build time. */
export const VERSION: string =
  typeof __COLLECTOR_VERSION__ === 'string' ? __COLLECTOR_VERSION__ : '0.0.0-dev';
