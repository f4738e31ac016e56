import dns from 'node:dns';
import net from 'node:net';

/**
 * Where webhooks may point. A webhook URL is typed by a grid manager but requested by our
 * servers, so by default it may not reach this machine or the private network behind it
 * (loopback, RFC 1918, link-local cloud metadata, CGNAT, multicast, IPv6 ULA...): otherwise a
 * webhook would be a way to probe internal services (SSRF). The check runs on the address
 * actually connected to, after DNS, so a name that later resolves somewhere private is refused
 * too. WEBHOOK_ALLOW_PRIVATE=true lifts it (development, tests, an on-premises receiver).
 */

const BLOCKED = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(prefix, bits, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return BLOCKED.check(mapped[1]!, 'ipv4');
    return BLOCKED.check(address, 'ipv6');
  }
  return false;
}

export class BlockedTargetError extends Error {}

/** Checks a URL's form (and a literal address in it) when a webhook is saved. Returns a problem or null. */
export function urlProblem(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must start with http:// or https://';
  if (url.username || url.password)
    return 'must not hold a user name or password (the signature authenticates deliveries)';
  if (url.hash) return 'must not have a #fragment';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && (host === 'localhost' || host.endsWith('.localhost') || isPrivateAddress(host))) {
    return 'points to a private or loopback address, which webhooks may not reach (see WEBHOOK_ALLOW_PRIVATE)';
  }
  return null;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http.request that refuses private addresses (unless allowed). Node calls it for
 * host names only, so literal addresses are checked before the request (urlProblem).
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as dns.LookupAddress[];
      const blocked = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (blocked) {
        return callback(
          new BlockedTargetError(
            `${hostname} resolves to ${blocked.address}, a private or loopback address`,
          ) as NodeJS.ErrnoException,
          [],
        );
      }
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      return callback(null, first.address, first.family);
    });
  };
}
