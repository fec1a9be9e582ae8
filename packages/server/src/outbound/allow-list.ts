import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Whether an allow-list entry is well formed: a host name, an address or a CIDR range. */
export function allowEntryProblem(entry: string): string | undefined {
  if (entry.includes('/')) {
    try {
      ipaddr.parseCIDR(entry);
      return undefined;
    } catch {
      return `${entry} is not a CIDR range`;
    }
  }
  if (ipaddr.isValid(entry)) return undefined;
  return /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(entry)
    ? undefined
    : `${entry} is not a host name, address or CIDR range`;
}

/**
 * What the operator lets tenants reach although it is not public: host names
 * (`vllm.internal`, or `*.corp.example` for its subdomains), addresses and
 * CIDR ranges (`10.0.0.5`, `10.0.0.0/8`, `fd00::/8`).
 */
export class AllowList {
  private readonly hosts = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly ranges: Range[] = [];

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase();
      if (!entry) continue;
      if (entry.includes('/')) this.ranges.push(ipaddr.parseCIDR(entry));
      else if (ipaddr.isValid(entry)) {
        const address = ipaddr.process(entry);
        this.ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
      } else if (entry.startsWith('*.')) this.suffixes.push(entry.slice(1));
      else this.hosts.add(entry);
    }
  }

  /** A host name (or address literal) named as such by the operator. */
  hasHost(host: string): boolean {
    return this.hosts.has(host) || this.suffixes.some((suffix) => host.endsWith(suffix));
  }

  hasAddress(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
    return this.ranges.some(
      ([range, bits]) => range.kind() === address.kind() && address.match(range, bits),
    );
  }
}
