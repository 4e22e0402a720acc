/**
 * Zeroes the host part of an ip address, the way Google Analytics' IP anonymisation does: an IPv4
 * address keeps its first 24 bits (`203.0.113.9` → `203.0.113.0`), an IPv6 address its first 48
 * (`2001:db8:85a3:8d3:1319:8a2e:370:7348` → `2001:db8:85a3::`). An IPv4-mapped IPv6 address
 * (`::ffff:203.0.113.9`, what Node reports on dual-stack sockets) is anonymised as the IPv4
 * address it carries. Anything that does not parse as an address gives `undefined`, so a value
 * that cannot be anonymised is left out rather than sent as is.
 */
export function anonymizeIp(ip: string): string | undefined {
  const text = ip.trim();
  const v4 = anonymizeIpv4(text);
  if (v4 !== undefined) return v4;
  const groups = parseIpv6(text);
  if (groups === undefined) return undefined;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const tail = `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.0`;
    return `::ffff:${tail}`;
  }
  return formatIpv6([groups[0]!, groups[1]!, groups[2]!, 0, 0, 0, 0, 0]);
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function anonymizeIpv4(text: string): string | undefined {
  const match = IPV4.exec(text);
  if (match === null) return undefined;
  const octets = match.slice(1, 4).map(Number);
  if (octets.some((o) => o > 255) || Number(match[4]) > 255) return undefined;
  return `${octets.join('.')}.0`;
}

/** The eight 16-bit groups of an IPv6 address, or undefined. A zone (`%eth0`) is ignored. */
function parseIpv6(text: string): number[] | undefined {
  let rest = text.replace(/^\[|\]$/g, '');
  const zone = rest.indexOf('%');
  if (zone !== -1) rest = rest.slice(0, zone);
  if (!rest.includes(':')) return undefined;
  // An embedded IPv4 tail (`::ffff:1.2.3.4`) is two groups: rewrite it as such (`::ffff:102:304`).
  const lastColon = rest.lastIndexOf(':');
  const tail = rest.slice(lastColon + 1);
  if (tail.includes('.')) {
    const match = IPV4.exec(tail);
    if (match === null) return undefined;
    const o = match.slice(1).map(Number);
    if (o.some((n) => n > 255)) return undefined;
    const high = ((o[0]! << 8) | o[1]!).toString(16);
    const low = ((o[2]! << 8) | o[3]!).toString(16);
    rest = `${rest.slice(0, lastColon + 1)}${high}:${low}`;
  }
  const halves = rest.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined): number[] | undefined => {
    if (part === undefined || part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
      out.push(parseInt(group, 16));
    }
    return out;
  };
  const head = parse(halves[0]);
  const back = parse(halves[1]);
  if (head === undefined || back === undefined) return undefined;
  const known = head.length + back.length;
  if (halves.length === 1) return known === 8 ? head : undefined;
  if (known > 7) return undefined;
  return [...head, ...new Array<number>(8 - known).fill(0), ...back];
}

/** RFC 5952 text: lower-case, leading zeros dropped, the longest run of zero groups as `::`. */
function formatIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
