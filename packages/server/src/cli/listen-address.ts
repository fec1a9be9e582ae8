import { isIP } from 'node:net';

/** Whether `host` (HOST) binds loopback only, so nothing beyond this machine reaches the server. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (name === 'localhost') return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1';
}

/** Whether `host` binds every interface (0.0.0.0, ::). */
function isWildcardHost(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '');
  return name === '0.0.0.0' || name === '::' || name === '';
}

/**
 * What the start-up banner says about where the server listens: the address it was told to bind
 * (not the first one Node reports), and a warning when that reaches beyond loopback.
 */
export function describeListening(
  host: string,
  port: number,
): { url: string; listening: string; warning?: string } {
  const shown = isIP(host) === 6 ? `[${host}]` : host;
  const url = `http://${isWildcardHost(host) ? '127.0.0.1' : shown}:${port}`;
  if (isLoopbackHost(host)) return { url, listening: `${shown}:${port} (loopback only)` };
  return {
    url,
    listening: isWildcardHost(host)
      ? `${shown}:${port} (every network interface)`
      : `${shown}:${port}`,
    warning:
      `HOST=${host} listens beyond loopback: every network that reaches this machine reaches the ` +
      'gateway, the API, the dashboard and /metrics. Put TLS and a firewall in front, and set ' +
      'TOLLGATE_METRICS_TOKEN.',
  };
}
