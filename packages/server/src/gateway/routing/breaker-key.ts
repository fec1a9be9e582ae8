import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { RoutedDeployment } from './route-table';

/**
 * The breaker of one org's deployment: `org|deployment id|provider|model|upstream`, each part
 * URI-encoded. Every org has its own breakers, so one org's failures (its timeouts, its rate
 * limits, its bad key) never refuse another org's calls; a shared outage still opens each org's
 * breaker on that org's own failures. The upstream is a digest of the base URL: a key (logged,
 * in alerts) never carries a URL or the credentials some URLs hold.
 */
export function breakerKeyOf(orgId: string, deployment: RoutedDeployment): string {
  const upstream = upstreamDigestOf(deployment.baseUrl ?? '');
  return [orgId, deployment.id, deployment.provider, deployment.model, upstream]
    .map(encodeURIComponent)
    .join('|');
}

export interface BreakerKeyParts {
  orgId: string;
  deploymentId: string;
  provider: string;
  model: string;
}

/** The parts of a key made by `breakerKeyOf`; undefined for any other string. */
export function breakerKeyParts(key: string): BreakerKeyParts | undefined {
  const parts = key.split('|');
  if (parts.length !== 5) return undefined;
  try {
    const [orgId, deploymentId, provider, model] = parts.map(decodeURIComponent) as [
      string,
      string,
      string,
      string,
    ];
    return { orgId, deploymentId, provider, model };
  } catch {
    return undefined;
  }
}

/** Base URLs digested already: every call asks for its deployments' keys, the URLs are few. */
const upstreamDigests = new LRUCache<string, string>({ max: 10_000 });

function upstreamDigestOf(baseUrl: string): string {
  let digest = upstreamDigests.get(baseUrl);
  if (digest === undefined) {
    digest = createHash('sha256').update(baseUrl).digest('hex').slice(0, 12);
    upstreamDigests.set(baseUrl, digest);
  }
  return digest;
}
