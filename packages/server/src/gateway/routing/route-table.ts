import {
  resolveModelPrice,
  SHIPPED_PRICE_CATALOGUE,
  type Deployment,
  type MetaStore,
  type ProviderName,
} from '@tollgate/core';
import type { LRUCache } from 'lru-cache';
import type { OutboundTrust } from '../../outbound/outbound-policy';
import { localCache } from '../../stores/hot/local-cache';
import { credentialAssociatedData, type SecretBox } from '../../secrets/secret-box';
import { routeConfigSchema, type DeploymentConfig, type RouteConfig } from './route-config';

/** A deployment ready to call: credentials resolved, defaults applied. */
export interface RoutedDeployment extends Deployment {
  priority: number;
  weight: number;
  timeoutMs: number;
  maxRetries: number;
  /**
   * Whose configuration sent it where it goes: 'operator' (the routes file, a provider's own
   * endpoint, an exempt operator org) or 'tenant' (an org's routes: the outbound policy applies).
   * Absent: 'tenant'.
   */
  outbound?: OutboundTrust;
}

export interface ResolvedRoute {
  model: string;
  source: 'org' | 'file' | 'simulated' | 'passthrough';
  deployments: RoutedDeployment[];
  cacheTtlMs: number;
  fallbackModel?: string;
  deadlineMs: number;
  rateLimits?: RouteConfig['rateLimits'];
}

export interface RouteTableOptions {
  meta: MetaStore;
  secretBox: SecretBox;
  fileRoutes: RouteConfig[];
  /** Environment for `apiKeyEnv` and the providers' own keys (OPENAI_API_KEY, ...). */
  environment: Record<string, string | undefined>;
  /** How long an org's stored routes are reused before being read again. */
  cacheMs?: number;
  /** The outbound trust of an org's own routes; default: 'tenant'. */
  trustOf?: (orgId: string) => Promise<OutboundTrust>;
}

const SIMULATED_PREFIX = 'simulated/';

/** What `/v1/models` lists of the simulated provider: any `simulated/<name>` works. */
const SIMULATED_EXAMPLES = [
  'simulated/demo',
  'simulated/gpt-4o-mini',
  'simulated/claude-sonnet-4-5',
];

/** A model `/v1/models` lists, where it comes from, and (outside routes) which provider serves it. */
export interface CallableModel {
  model: string;
  source: ResolvedRoute['source'];
  provider?: string;
}

/** A model the provider itself knows is passed through when a credential exists. */
interface PassthroughProvider {
  provider: ProviderName;
  environment: string;
  credential: string;
}

/** Keyed by the price table's provider name. */
const PASSTHROUGH: Record<string, PassthroughProvider> = {
  openai: { provider: 'openai', environment: 'OPENAI_API_KEY', credential: 'openai' },
  anthropic: { provider: 'anthropic', environment: 'ANTHROPIC_API_KEY', credential: 'anthropic' },
  google: { provider: 'gemini', environment: 'GEMINI_API_KEY', credential: 'gemini' },
};

/** A deployment's id: the configured one, else `provider:model`. */
export function deploymentIdOf(deployment: DeploymentConfig): string {
  return deployment.id ?? `${deployment.provider}:${deployment.model}`;
}

/**
 * Which deployments serve a model name, for one organization: the org's own
 * routes (admin API) first, then the routes file, then `simulated/NAME`, then
 * a provider's own model name when a credential for it exists.
 */
export class RouteTable {
  private readonly fileRoutes: Map<string, RouteConfig>;
  /** Routes reused for `cacheMs` (credentials are decrypted once), keyed by org and model. */
  private readonly resolved: LRUCache<string, Promise<ResolvedRoute | undefined>>;
  private readonly orgRoutes: LRUCache<string, Promise<Map<string, RouteConfig>>>;

  constructor(private readonly options: RouteTableOptions) {
    this.fileRoutes = new Map(options.fileRoutes.map((route) => [route.model, route]));
    const ttlMs = Math.max(1, options.cacheMs ?? 5_000);
    this.resolved = localCache({ max: 10_000, ttlMs });
    this.orgRoutes = localCache({ max: 10_000, ttlMs });
  }

  /** The routes file's routes (the operator's, read-only), in file order. */
  fileRouteConfigs(): RouteConfig[] {
    return [...this.fileRoutes.values()];
  }

  /** Forget an org's cached routes (after an admin change in this process). */
  invalidate(orgId: string): void {
    this.orgRoutes.delete(orgId);
    for (const key of this.resolved.keys())
      if (key.startsWith(`${orgId}\u0000`)) this.resolved.delete(key);
  }

  /** The route of `model` for the org, reused for `cacheMs` (credentials are decrypted once). */
  resolve(orgId: string, model: string): Promise<ResolvedRoute | undefined> {
    const key = `${orgId}\u0000${model}`;
    const cached = this.resolved.get(key);
    if (cached) return cached;
    const route = this.resolveNow(orgId, model);
    route.catch(() => this.forgetFailed(this.resolved, key, route));
    this.resolved.set(key, route);
    return route;
  }

  /** A failed read is not reused: the next call reads again (unless a newer read replaced it). */
  private forgetFailed<V extends NonNullable<unknown>>(
    cache: LRUCache<string, V>,
    key: string,
    value: V,
  ): void {
    if (cache.peek(key) === value) cache.delete(key);
  }

  private async resolveNow(orgId: string, model: string): Promise<ResolvedRoute | undefined> {
    const orgRoute = (await this.routesOf(orgId)).get(model);
    if (orgRoute) return this.toResolved(orgId, orgRoute, 'org');
    const fileRoute = this.fileRoutes.get(model);
    if (fileRoute) return this.toResolved(orgId, fileRoute, 'file');
    if (model.startsWith(SIMULATED_PREFIX) && model.length > SIMULATED_PREFIX.length) {
      return this.toResolved(
        orgId,
        routeConfigSchema.parse({
          model,
          deployments: [{ id: 'simulated', provider: 'simulated', model }],
        }),
        'simulated',
      );
    }
    return this.passthrough(orgId, model);
  }

  /** Every model name this org can ask for by route (passthrough models are not listed). */
  async models(orgId: string): Promise<Array<{ model: string; source: ResolvedRoute['source'] }>> {
    const own = await this.routesOf(orgId);
    const listed: Array<{ model: string; source: ResolvedRoute['source'] }> = [...own.keys()].map(
      (model) => ({ model, source: 'org' }),
    );
    for (const model of this.fileRoutes.keys()) {
      if (!own.has(model)) listed.push({ model, source: 'file' });
    }
    return listed.sort((a, b) => a.model.localeCompare(b.model));
  }

  /**
   * Every model this org can call, for `/v1/models`: its routes (own, then the
   * file's), each provider's catalogue models when a credential for that
   * provider exists (org credential or environment key), then examples of
   * `simulated/<any-name>`, which always works.
   */
  async callableModels(orgId: string): Promise<CallableModel[]> {
    const listed: CallableModel[] = await this.models(orgId);
    const seen = new Set(listed.map((entry) => entry.model));
    for (const [priceProvider, known] of Object.entries(PASSTHROUGH)) {
      if (!(await this.hasCredential(orgId, known))) continue;
      for (const [model, price] of SHIPPED_PRICE_CATALOGUE.models) {
        // Keys with a slash price one image size and quality, not a model to call.
        if (price.provider !== priceProvider || model.includes('/') || seen.has(model)) continue;
        seen.add(model);
        listed.push({ model, source: 'passthrough', provider: known.provider });
      }
    }
    for (const model of SIMULATED_EXAMPLES) {
      if (!seen.has(model)) listed.push({ model, source: 'simulated', provider: 'simulated' });
    }
    return listed;
  }

  private async hasCredential(orgId: string, known: PassthroughProvider): Promise<boolean> {
    if (this.options.environment[known.environment]) return true;
    return (await this.options.meta.getProviderCredentialCiphertext(orgId, known.credential))
      ? true
      : false;
  }

  /**
   * The routes this org can ask for by name, as configured (credentials not
   * resolved): its own, then the file's it does not override.
   */
  async routeConfigs(
    orgId: string,
  ): Promise<Array<{ source: 'org' | 'file'; route: RouteConfig }>> {
    const own = await this.routesOf(orgId);
    const listed: Array<{ source: 'org' | 'file'; route: RouteConfig }> = [...own.values()].map(
      (route) => ({ source: 'org', route }),
    );
    for (const [model, route] of this.fileRoutes) {
      if (!own.has(model)) listed.push({ source: 'file', route });
    }
    return listed.sort((a, b) => a.route.model.localeCompare(b.route.model));
  }

  private routesOf(orgId: string): Promise<Map<string, RouteConfig>> {
    const cached = this.orgRoutes.get(orgId);
    if (cached) return cached;
    const routes = this.options.meta.listGatewayRoutes(orgId).then((records) => {
      const parsed = new Map<string, RouteConfig>();
      for (const record of records) {
        const route = routeConfigSchema.safeParse(record.config);
        if (route.success) parsed.set(record.model, route.data);
      }
      return parsed;
    });
    routes.catch(() => this.forgetFailed(this.orgRoutes, orgId, routes));
    this.orgRoutes.set(orgId, routes);
    return routes;
  }

  private async passthrough(orgId: string, model: string): Promise<ResolvedRoute | undefined> {
    const price = resolveModelPrice(model);
    const known = price ? PASSTHROUGH[price.provider] : undefined;
    if (!known) return undefined;
    const deployment: DeploymentConfig = {
      id: `${known.provider}:${model}`,
      provider: known.provider,
      model,
      priority: 0,
      weight: 1,
      timeoutMs: 60_000,
      maxRetries: 1,
    };
    const stored = await this.options.meta.getProviderCredentialCiphertext(orgId, known.credential);
    if (stored) deployment.credential = known.credential;
    else if (this.options.environment[known.environment]) deployment.apiKeyEnv = known.environment;
    else return undefined;
    return this.toResolved(
      orgId,
      { model, deployments: [deployment], cacheTtlSeconds: 0, deadlineMs: 120_000 },
      'passthrough',
    );
  }

  private async toResolved(
    orgId: string,
    route: RouteConfig,
    source: ResolvedRoute['source'],
  ): Promise<ResolvedRoute> {
    // Only an org's own routes name targets a tenant chose; the others are the operator's.
    const outbound: OutboundTrust =
      source === 'org' ? ((await this.options.trustOf?.(orgId)) ?? 'tenant') : 'operator';
    const deployments = await Promise.all(
      route.deployments.map(async (deployment): Promise<RoutedDeployment> => ({
        id: deploymentIdOf(deployment),
        provider: deployment.provider,
        model: deployment.model,
        baseUrl: deployment.baseUrl,
        apiKey: await this.apiKeyOf(orgId, deployment),
        apiVersion: deployment.apiVersion,
        headers: deployment.headers,
        options: deployment.options,
        priority: deployment.priority,
        weight: deployment.weight,
        timeoutMs: deployment.timeoutMs,
        maxRetries: deployment.maxRetries,
        outbound,
      })),
    );
    return {
      model: route.model,
      source,
      deployments,
      cacheTtlMs: route.cacheTtlSeconds * 1000,
      fallbackModel: route.fallbackModel,
      deadlineMs: route.deadlineMs,
      rateLimits: route.rateLimits,
    };
  }

  private async apiKeyOf(orgId: string, deployment: DeploymentConfig): Promise<string | undefined> {
    if (deployment.credential) {
      const stored = await this.options.meta.getProviderCredentialCiphertext(
        orgId,
        deployment.credential,
      );
      if (!stored) return undefined;
      return this.options.secretBox.decrypt(
        stored.ciphertext,
        credentialAssociatedData(orgId, deployment.credential),
      );
    }
    if (deployment.apiKeyEnv) return this.options.environment[deployment.apiKeyEnv];
    return undefined;
  }
}
