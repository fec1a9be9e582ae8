import { createHash } from 'node:crypto';
import type { RoutedDeployment } from './route-table';

/**
 * The breaker of one org's deployment: `org|deployment id|provider|model|upstream`, each part
 * URI-encoded. Every org has its own breakers, so one org's failures (its timeouts, its rate
 * limits, its bad key) never refuse another org's calls; a shared outage still opens each org's
 * breaker on that org's own failures. The upstream is a digest of the base URL: a key (logged,
 * in alerts) never carries a URL or the credentials some URLs hold.
 */
export function breakerKeyOf(orgId: string, deployment: RoutedDeployment): string {
  const upstream = createHash('sha256')
    .update(deployment.baseUrl ?? '')
    .digest('hex')
    .slice(0, 12);
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
