/** What an `Authorization` header carries. */
export type Authorization =
  | { kind: 'none' }
  | { kind: 'basic'; writeKey: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'unsupported'; scheme: string };

/**
 * Reads `Basic base64("<writeKey>:")` (the write key is the user name, the password empty) or
 * `Bearer <token>`, as Segment's Tracking API accepts them.
 */
export function readAuthorization(header: string | undefined): Authorization {
  if (header === undefined || header.trim() === '') return { kind: 'none' };
  const [scheme = '', ...rest] = header.trim().split(/\s+/);
  const value = rest.join(' ');
  switch (scheme.toLowerCase()) {
    case 'basic': {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return { kind: 'basic', writeKey: colon === -1 ? decoded : decoded.slice(0, colon) };
    }
    case 'bearer':
      return { kind: 'bearer', token: value };
    default:
      return { kind: 'unsupported', scheme };
  }
}
