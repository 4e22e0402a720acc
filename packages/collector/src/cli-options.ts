import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CollectorError } from './collector-error.js';
import { validateFaultSpec } from './fault-controller.js';
import type { CollectorOptions } from './start-collector.js';
import type { OAuthOptions } from './token-issuer.js';

/** The CLI's port. Defaults to 4318. */
export const DEFAULT_PORT = 4318;
/** The CLI's database file, relative to the working directory. */
export const DEFAULT_DB = '.collector/events.db';

/** The CLI's usage text. */
export const HELP = `tributary-collector: a local Segment-compatible collector with a live event debugger

Usage: tributary-collector [options]

Server
  --port <n>                 port to listen on; 0 picks a free one (default ${DEFAULT_PORT})
  --host <address>           interface to listen on (default 127.0.0.1)
  --db <file>                SQLite file that keeps events across restarts (default ${DEFAULT_DB})
  --memory                   keep events in memory only
  --quiet                    do not log each request

Authentication (default: any write key is accepted)
  --write-key <key>          accept only this write key; repeat for several
  --oauth-public-key <file>  verify POST /token client assertions with this RSA public key
                             (PEM "BEGIN PUBLIC KEY", or a JWKS JSON file); repeatable
  --oauth-client-id <id>     accept only this OAuth client id; repeatable
  --token-ttl <seconds>      lifetime of issued access tokens (default 3600)

Fault injection (also at runtime: POST /admin/faults, DELETE /admin/faults)
  --fail-rate <0..1>         share of requests answered with an error status
  --fail-status <list>       statuses for --fail-rate, comma separated (default 500,502,503)
  --fail-next <status[:n]>   answer the next n requests (default 1) with status
  --rate-limit <0..1>        share of requests answered 429 with Retry-After
  --retry-after <seconds>    Retry-After of --rate-limit answers (default 1)
  --latency <ms>             delay every request
  --reset-rate <0..1>        share of requests whose connection is reset
  --hang-rate <0..1>         share of requests held open until the client gives up
  --down <ms>                refuse connections for the first <ms> milliseconds
  --fault-target <t>         which requests faults hit: ingest, token or all (default ingest)
  --seed <n>                 seed the random draws of the rates

  --help                     show this help
  --version                  print the version

Endpoints: POST /v1/batch, /v1/import, /v1/{identify,track,page,screen,group,alias}, POST /token,
GET /api/events, GET /api/stats, GET /api/stream, /admin/faults; the debugger is at /.
`;

/** What the command line asks for. */
export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'start'; options: CollectorOptions; publicKeyFiles: string[]; dbLabel: string };

/** A command-line mistake: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses `argv` (without node and the script) into a command. Throws {@link UsageError}. */
export function parseCliArgs(argv: string[]): CliCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        db: { type: 'string' },
        memory: { type: 'boolean' },
        quiet: { type: 'boolean' },
        'write-key': { type: 'string', multiple: true },
        'oauth-public-key': { type: 'string', multiple: true },
        'oauth-client-id': { type: 'string', multiple: true },
        'token-ttl': { type: 'string' },
        'fail-rate': { type: 'string' },
        'fail-status': { type: 'string' },
        'fail-next': { type: 'string' },
        'rate-limit': { type: 'string' },
        'retry-after': { type: 'string' },
        latency: { type: 'string' },
        'reset-rate': { type: 'string' },
        'hang-rate': { type: 'string' },
        down: { type: 'string' },
        'fault-target': { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const options: CollectorOptions = { quiet: values.quiet ?? false };
  options.port =
    values.port === undefined ? DEFAULT_PORT : integer(values.port, '--port', 0, 65535);
  if (values.host !== undefined) options.host = values.host;
  let dbLabel: string;
  if (values.memory) {
    options.memory = true;
    dbLabel = 'in memory (--memory)';
  } else {
    options.db = values.db ?? DEFAULT_DB;
    options.memory = false;
    dbLabel = options.db;
  }
  if (values['write-key']?.length) options.writeKeys = values['write-key'];

  const oauth: OAuthOptions = {};
  if (values['oauth-client-id']?.length) oauth.clientIds = values['oauth-client-id'];
  if (values['token-ttl'] !== undefined)
    oauth.tokenTtlSeconds = integer(values['token-ttl'], '--token-ttl', 1, 86_400 * 365);
  if (Object.keys(oauth).length > 0) options.oauth = oauth;

  const faults: Record<string, unknown> = {};
  if (values['fail-rate'] !== undefined)
    faults.failRate = number(values['fail-rate'], '--fail-rate');
  if (values['fail-status'] !== undefined) {
    faults.failStatuses = values['fail-status']
      .split(',')
      .map((s) => integer(s.trim(), '--fail-status', 100, 599));
  }
  if (values['fail-next'] !== undefined) {
    const [status = '', count] = values['fail-next'].split(':');
    faults.failNext = {
      status: integer(status, '--fail-next status', 100, 599),
      ...(count !== undefined ? { count: integer(count, '--fail-next count', 0, 1_000_000) } : {}),
    };
  }
  if (values['rate-limit'] !== undefined || values['retry-after'] !== undefined) {
    faults.rateLimit = {
      rate: values['rate-limit'] === undefined ? 1 : number(values['rate-limit'], '--rate-limit'),
      ...(values['retry-after'] !== undefined
        ? { retryAfter: number(values['retry-after'], '--retry-after') }
        : {}),
    };
  }
  if (values.latency !== undefined) faults.latency = number(values.latency, '--latency');
  if (values['reset-rate'] !== undefined)
    faults.resetRate = number(values['reset-rate'], '--reset-rate');
  if (values['hang-rate'] !== undefined)
    faults.hangRate = number(values['hang-rate'], '--hang-rate');
  if (values.down !== undefined) faults.down = number(values.down, '--down');
  if (values['fault-target'] !== undefined) faults.target = values['fault-target'];
  if (values.seed !== undefined) faults.seed = integer(values.seed, '--seed', -(2 ** 31), 2 ** 32);
  if (Object.keys(faults).length > 0) {
    try {
      options.faults = validateFaultSpec(faults);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return { kind: 'start', options, publicKeyFiles: values['oauth-public-key'] ?? [], dbLabel };
}

/**
 * Reads OAuth public key files: PEM (one or more `BEGIN PUBLIC KEY` blocks) or a JWKS JSON file.
 * Throws `CollectorError` `KEY_UNREADABLE` naming the file that cannot be read.
 */
export async function loadPublicKeyFiles(
  files: string[],
): Promise<Pick<OAuthOptions, 'publicKeys' | 'jwks'>> {
  const publicKeys: string[] = [];
  const jwksKeys: JsonWebKey[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      const reason =
        (cause as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'no such file'
          : (cause as Error).message;
      throw new CollectorError(
        'KEY_UNREADABLE',
        `Cannot read the OAuth public key file "${file}": ${reason}.`,
        { cause },
      );
    }
    const trimmed = text.trim();
    if (trimmed.startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(trimmed);
      } catch (cause) {
        throw new CollectorError(
          'KEY_UNREADABLE',
          `The OAuth key file "${file}" is neither PEM nor valid JSON (JWKS).`,
          { cause },
        );
      }
      const keys = (parsed as { keys?: unknown }).keys;
      if (Array.isArray(keys)) jwksKeys.push(...(keys as JsonWebKey[]));
      else jwksKeys.push(parsed as JsonWebKey);
      continue;
    }
    const blocks = trimmed.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g);
    if (blocks === null) {
      throw new CollectorError(
        'KEY_UNREADABLE',
        `The OAuth key file "${file}" holds no "-----BEGIN PUBLIC KEY-----" block (SPKI PEM) and is not a JWKS JSON file.`,
      );
    }
    publicKeys.push(...blocks);
  }
  return {
    ...(publicKeys.length > 0 ? { publicKeys } : {}),
    ...(jwksKeys.length > 0 ? { jwks: { keys: jwksKeys } } : {}),
  };
}

function number(text: string, flag: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new UsageError(`${flag} needs a number, got "${text}".`);
  return value;
}

function integer(text: string, flag: string, min: number, max: number): number {
  const value = number(text, flag);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag} needs a whole number from ${min} to ${max}, got "${text}".`);
  }
  return value;
}
