/** RS256 needs an RSA key of at least this many bits (RFC 7518 §3.3; jose enforces it when signing). */
export const MIN_RSA_KEY_BITS = 2048;

/** What {@link parseClientKey} found: a normalized PEM, or why the input is not a usable key. */
export type ClientKeyCheck =
  { ok: true; pem: string; bits: number } | { ok: false; problem: string };

const PKCS8_CONVERT = 'openssl pkcs8 -topk8 -nocrypt -in private.pem -out private-pkcs8.pem';
const RSA_ENCRYPTION_OID = '2a864886f70d010101'; // 1.2.840.113549.1.1.1
const OTHER_KEY_TYPES: Record<string, string> = {
  '2a864886f70d01010a': 'an RSASSA-PSS key', // 1.2.840.113549.1.1.10
  '2a8648ce3d0201': 'an EC key', // 1.2.840.10045.2.1
  '2b6570': 'an Ed25519 key', // 1.3.101.112
  '2b6571': 'an Ed448 key', // 1.3.101.113
};

/**
 * Checks, synchronously, that `clientKey` is an unencrypted PKCS#8 PEM RSA private key of at
 * least 2048 bits, so a bad key fails when the client is constructed rather than later inside a
 * refresh. Returns the key re-armored as canonical PEM (literal `\n` sequences, as found in
 * environment variables, become line breaks). Problems describe the input without quoting it.
 */
export function parseClientKey(clientKey: unknown): ClientKeyCheck {
  const fail = (problem: string): ClientKeyCheck => ({ ok: false, problem });
  if (typeof clientKey !== 'string' || clientKey.trim() === '') {
    return fail(
      'must be a PKCS#8 PEM private key ("-----BEGIN PRIVATE KEY-----"), received an empty value',
    );
  }
  const text = clientKey.replace(/\\r/g, '').replace(/\\n/g, '\n').trim();
  const armor = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  if (armor === null) {
    if (/-----BEGIN [A-Z0-9 ]+-----/.test(text)) {
      return fail(
        'has a "-----BEGIN …-----" line without its matching "-----END …-----" line; pass the whole PEM file',
      );
    }
    if (!/\s/.test(text) && /\.(pem|key|p8)$/i.test(text)) {
      return fail('looks like a file path; pass the contents of the PEM file, not its path');
    }
    return fail(
      'is not a PEM key: expected the contents of a PKCS#8 file starting with "-----BEGIN PRIVATE KEY-----"',
    );
  }
  const label = armor[1]!;
  switch (label) {
    case 'PRIVATE KEY':
      break;
    case 'RSA PRIVATE KEY':
      return fail(
        `is a PKCS#1 RSA key ("BEGIN RSA PRIVATE KEY"); convert it to PKCS#8 with \`${PKCS8_CONVERT}\``,
      );
    case 'ENCRYPTED PRIVATE KEY':
      return fail(`is encrypted; export it without a passphrase with \`${PKCS8_CONVERT}\``);
    case 'EC PRIVATE KEY':
      return fail(
        'is an EC key; RS256 needs an RSA key (`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`)',
      );
    case 'PUBLIC KEY':
    case 'RSA PUBLIC KEY':
    case 'CERTIFICATE':
      return fail(
        `is a ${label === 'CERTIFICATE' ? 'certificate' : 'public key'}; pass the private key (upload the public one to Segment)`,
      );
    default:
      return fail(`has the PEM label "${label}"; expected "-----BEGIN PRIVATE KEY-----" (PKCS#8)`);
  }
  const base64 = armor[2]!.replace(/\s+/g, '');
  let der: Uint8Array;
  try {
    if (base64 === '' || base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64))
      throw new Error('alphabet');
    der = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  } catch {
    return fail(
      'has a PEM body that is not valid base64; the key was probably truncated or altered when copied',
    );
  }
  const problem = checkPkcs8Rsa(der);
  if (typeof problem === 'string') return fail(problem);
  const lines = base64.match(/.{1,64}/g)!.join('\n');
  return {
    ok: true,
    pem: `-----BEGIN PRIVATE KEY-----\n${lines}\n-----END PRIVATE KEY-----\n`,
    bits: problem.bits,
  };
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/** Reads one DER tag-length-value at `offset`; `undefined` when it does not fit in `limit`. */
function readTlv(der: Uint8Array, offset: number, limit: number): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i]!;
    start += count;
  }
  const end = start + length;
  return end <= limit ? { tag, start, end } : undefined;
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const OID = 0x06;
const OCTET_STRING = 0x04;

/**
 * PrivateKeyInfo ::= SEQUENCE { version INTEGER, algorithm SEQUENCE { OID, … }, privateKey OCTET STRING, … }
 * with an RSAPrivateKey ::= SEQUENCE { version INTEGER, modulus INTEGER, … } inside (RFC 5208, RFC 8017).
 */
function checkPkcs8Rsa(der: Uint8Array): string | { bits: number } {
  const notPkcs8 =
    'is not a valid PKCS#8 private key (the PEM body does not decode to a PrivateKeyInfo structure)';
  const outer = readTlv(der, 0, der.length);
  if (outer?.tag !== SEQUENCE || outer.end !== der.length) return notPkcs8;
  const version = readTlv(der, outer.start, outer.end);
  if (version?.tag !== INTEGER) return notPkcs8;
  const algorithm = readTlv(der, version.end, outer.end);
  if (algorithm?.tag !== SEQUENCE) return notPkcs8;
  const oid = readTlv(der, algorithm.start, algorithm.end);
  if (oid?.tag !== OID) return notPkcs8;
  const oidHex = hex(der.subarray(oid.start, oid.end));
  if (oidHex !== RSA_ENCRYPTION_OID) {
    return `is ${OTHER_KEY_TYPES[oidHex] ?? 'not an RSA key'}; RS256 needs an RSA key (\`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048\`)`;
  }
  const privateKey = readTlv(der, algorithm.end, outer.end);
  if (privateKey?.tag !== OCTET_STRING) return notPkcs8;
  const rsa = readTlv(der, privateKey.start, privateKey.end);
  if (rsa?.tag !== SEQUENCE) return notPkcs8;
  const rsaVersion = readTlv(der, rsa.start, rsa.end);
  if (rsaVersion?.tag !== INTEGER) return notPkcs8;
  const modulus = readTlv(der, rsaVersion.end, rsa.end);
  if (modulus?.tag !== INTEGER) return notPkcs8;
  let first = modulus.start;
  while (first < modulus.end && der[first] === 0) first++;
  const bits =
    first === modulus.end ? 0 : (modulus.end - first - 1) * 8 + (32 - Math.clz32(der[first]!));
  if (bits < MIN_RSA_KEY_BITS) {
    return `is a ${bits}-bit RSA key; RS256 needs at least ${MIN_RSA_KEY_BITS} bits (\`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048\`)`;
  }
  return { bits };
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}
