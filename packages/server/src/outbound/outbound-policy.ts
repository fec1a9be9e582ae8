/**
 * The one outbound policy: every request Tollgate makes for a tenant
 * (deployments, budget and alert webhooks, anything later) goes through a
 * dispatcher from here. A tenant's requests may reach only public unicast
 * addresses, checked on every address a name resolves to when the socket is
 * opened (so a name that rebinds to a private address after a write-time
 * check still fails), unless the operator allows the host or range. Every
 * request carries `LOOP_HEADER`, which Tollgate refuses on the way in, so no
 * request can reach Tollgate itself.
 */
import { lookup as systemLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { AllowList } from './allow-list';

/** Whose configuration a request comes from: the operator's (routes file, operator org) or a tenant's. */
export type OutboundTrust = 'operator' | 'tenant';

/** Added to every outbound request; an incoming request carrying it came from a Tollgate and is refused. */
export const LOOP_HEADER = 'x-tollgate-outbound';

/** Resolves a name to all its addresses (`dns.lookup` with `all: true`); injected by tests. */
export type OutboundLookup = (
  hostname: string,
  callback: (error: Error | null, addresses: LookupAddress[]) => void,
) => void;

export interface OutboundPolicyOptions {
  /** Hosts, addresses and CIDR ranges tenants may reach although private (`TOLLGATE_OUTBOUND_ALLOW`). */
  allow: readonly string[];
  /** Whether the operator org's own configuration is exempt (`TOLLGATE_OUTBOUND_OPERATOR_EXEMPT`). */
  operatorExempt: boolean;
  /** Whether an org is the operator org. */
  isOperatorOrg: (orgId: string) => Promise<boolean>;
  lookup?: OutboundLookup;
  connectTimeoutMs?: number;
}

const REFUSED_CODE = 'TOLLGATE_OUTBOUND_REFUSED';
export const REFUSED_MESSAGE = 'refused by outbound policy';

/** A request the policy refused; its message never says what (if anything) listens there. */
export class OutboundRefusedError extends Error {
  override readonly name = 'OutboundRefusedError';
  readonly code = REFUSED_CODE;

  constructor(readonly reason: string) {
    super(REFUSED_MESSAGE);
  }
}

/** Whether the error, or one it was caused by, is a refusal of the outbound policy. */
export function isOutboundRefused(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 5; depth += 1) {
    if ((cause as { code?: unknown }).code === REFUSED_CODE) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

/** Names that always mean this machine or a cloud's metadata service. */
function isInternalName(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === 'metadata' ||
    hostname.endsWith('.internal') ||
    hostname === 'metadata.goog'
  );
}

const systemLookupAll: OutboundLookup = (hostname, callback) =>
  systemLookup(hostname, { all: true }, (error, addresses) => callback(error, addresses ?? []));

export class OutboundPolicy {
  private readonly allowList: AllowList;
  private readonly lookup: OutboundLookup;
  private readonly agents: Record<OutboundTrust, Agent>;
  private readonly dispatchers: Record<OutboundTrust, Dispatcher>;

  constructor(private readonly options: OutboundPolicyOptions) {
    this.allowList = new AllowList(options.allow);
    this.lookup = options.lookup ?? systemLookupAll;
    const timeout = options.connectTimeoutMs ?? 10_000;
    const keepAlive = { keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000 };
    this.agents = {
      operator: new Agent({ ...keepAlive, connect: { timeout } }),
      tenant: new Agent({ ...keepAlive, connect: this.guardedConnector(timeout) }),
    };
    this.dispatchers = {
      operator: this.agents.operator.compose(headerInterceptor(false)),
      tenant: this.agents.tenant.compose(headerInterceptor(true)),
    };
  }

  /** The trust of an org's own configuration. */
  async trustOf(orgId: string): Promise<OutboundTrust> {
    return this.options.operatorExempt && (await this.options.isOperatorOrg(orgId))
      ? 'operator'
      : 'tenant';
  }

  /** The dispatcher every request of this trust goes through. */
  dispatcher(trust: OutboundTrust): Dispatcher {
    return this.dispatchers[trust];
  }

  /**
   * The check at write time, for a clear 400: the URL's scheme, and for a tenant an address or
   * a name that is internal by itself. Names are checked again, resolved, at connect time.
   */
  checkUrl(url: string, trust: OutboundTrust): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new OutboundRefusedError('not a URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new OutboundRefusedError('only http and https URLs are allowed');
    }
    if (trust === 'operator') return;
    const host = unbracketed(parsed.hostname).toLowerCase();
    if (this.allowList.hasHost(host)) return;
    if (isIP(host) ? !this.isAddressAllowed(host) : isInternalName(host)) {
      throw new OutboundRefusedError(`${host} is not a public address`);
    }
  }

  /** Public unicast addresses, and any address the operator allowed. */
  isAddressAllowed(address: string): boolean {
    if (!ipaddr.isValid(address)) return false;
    const parsed = ipaddr.process(address);
    return parsed.range() === 'unicast' || this.allowList.hasAddress(parsed);
  }

  async close(): Promise<void> {
    await Promise.all([this.agents.operator.close(), this.agents.tenant.close()]);
  }

  /** Opens sockets only to allowed addresses: an address literal here, every resolved one in `lookup`. */
  private guardedConnector(timeout: number): buildConnector.connector {
    const connect = buildConnector({ timeout, lookup: this.guardedLookup });
    return (options, callback) => {
      const host = unbracketed(options.hostname).toLowerCase();
      if (isIP(host) && !this.isAddressAllowed(host) && !this.allowList.hasHost(host)) {
        callback(new OutboundRefusedError(`${host} is not a public address`), null);
        return;
      }
      connect(options, callback);
    };
  }

  /** `net.connect`'s lookup: resolves, and fails unless every address is allowed. */
  private readonly guardedLookup = (
    hostname: string,
    options: { all?: boolean },
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    const name = hostname.toLowerCase();
    this.lookup(name, (error, addresses) => {
      if (error) return callback(error, []);
      const allowedHost = this.allowList.hasHost(name);
      const refused =
        addresses.length === 0 ||
        (!allowedHost &&
          (isInternalName(name) ||
            addresses.some((entry) => !this.isAddressAllowed(entry.address))));
      if (refused)
        return callback(new OutboundRefusedError(`${name} resolves to a private address`), []);
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

function unbracketed(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

type Headers = Dispatcher.DispatchOptions['headers'];

/** Adds `LOOP_HEADER`; for a tenant, drops a `host` header so the URL alone names the target. */
function headerInterceptor(dropHost: boolean): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) =>
    dispatch({ ...options, headers: withLoopHeader(options.headers, dropHost) }, handler);
}

function withLoopHeader(headers: Headers, dropHost: boolean): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  const add = (name: string, value: unknown) => {
    const lower = name.toLowerCase();
    if (value === undefined || (dropHost && lower === 'host') || lower === LOOP_HEADER) return;
    result[lower] = Array.isArray(value) ? value.map(String) : String(value);
  };
  if (Array.isArray(headers)) {
    for (let index = 0; index + 1 < headers.length; index += 2) {
      add(String(headers[index]), headers[index + 1]);
    }
  } else if (headers && typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [name, value] of headers as Iterable<[string, string]>) add(name, value);
  } else if (headers) {
    for (const [name, value] of Object.entries(headers)) add(name, value);
  }
  result[LOOP_HEADER] = '1';
  return result;
}
