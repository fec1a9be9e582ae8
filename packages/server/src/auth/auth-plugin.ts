import {
  PLAN_RETENTION_DAYS,
  type HotStore,
  type KeyScope,
  type MetaStore,
  type Organization,
  type PriceList,
  type RateLimitSettings,
  type TenantScope,
} from '@tollgate/core';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { ApiError } from '../http/errors';
import type { PricingService } from '../pricing/pricing-service';
import type { ContentKey, ContentKeyring } from '../secrets/content-keys';
import { localCache } from '../stores/hot/local-cache';
import { hashApiKeySecret } from './api-key-secret';

/** Who is calling, resolved from the API key. */
export interface Caller {
  keyId: string;
  orgId: string;
  /** Null for an org-wide key. */
  projectId: string | null;
  scopes: readonly KeyScope[];
  retentionDays: number;
  /** The key's and its org's own per-minute limits (the project's are looked up by governance). */
  rateLimits: { key: RateLimitSettings; org: RateLimitSettings };
  /**
   * The org's prices (catalogue, operator's global overrides, the org's own
   * overrides), applied to the cost of its calls on every path.
   */
  priceOverrides?: PriceList;
  /** False when the key's project keeps prompts and responses out of its events. */
  contentStorage: boolean;
  /** True when the key's project redacts PII from prompts and responses before they are stored. */
  piiRedaction: boolean;
  /** The org's data key when the key's project encrypts stored content (`content_encryption`). */
  contentKey?: ContentKey;
  /**
   * The key's own organization when an operator admin reads another one with
   * `?org_id=` (`orgId` is then the org being read); absent otherwise.
   */
  keyOrgId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
  interface FastifyInstance {
    /** A pre-handler that admits only keys carrying `scope` (or `admin`). */
    requireScope(scope: KeyScope): preHandlerAsyncHookHandler;
    /**
     * Forgets every verified key, in this process now and in every process sharing the hot
     * store on its next request: call it after revoking or deleting keys.
     */
    invalidateVerifiedKeys(): Promise<void>;
  }
}

const ORGANIZATION_CACHE_MS = 30_000;
/**
 * A counter in the hot store, raised by every revocation. A cached key is used
 * only while the epoch is the one it was verified under, so a key revoked by
 * any process is refused by every process on its next request.
 */
export const KEY_REVOCATION_EPOCH = 'auth:revocation-epoch';

export function retentionDaysOf(organization: Organization): number {
  return organization.retentionDays ?? PLAN_RETENTION_DAYS[organization.plan];
}

function presentedSecret(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization.toLowerCase().startsWith('bearer ')) {
    return authorization.slice(7).trim();
  }
  if (typeof authorization === 'string' && authorization.toLowerCase().startsWith('basic ')) {
    return basicAuthSecret(authorization.slice(6).trim());
  }
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}

/**
 * The key in HTTP Basic credentials, as Langfuse's SDKs send their public and
 * secret key (`public:secret`): the part that is a Tollgate key (`tg_…`), else
 * the password.
 */
function basicAuthSecret(encoded: string): string | undefined {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  if (password.startsWith('tg_')) return password;
  if (user.startsWith('tg_')) return user;
  return password || undefined;
}

/** The query parameter by which an admin of the operator organization reads another organization. */
export const ORG_PARAMETER = 'org_id';
const READ_METHODS = new Set(['GET', 'HEAD']);

/** The `org_id` the request names, if any: one id, or a 400 naming the parameter. */
function namedOrganization(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const value = query?.[ORG_PARAMETER];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 128) {
    throw new ApiError('invalid_request', `${ORG_PARAMETER}: must be one organization id`, {
      field: ORG_PARAMETER,
    });
  }
  return value;
}

/** The tenant a read runs in: the key's project, or for an org key the org (optionally one project of it). */
export async function readScope(
  request: FastifyRequest,
  meta: MetaStore,
  projectId?: string,
): Promise<TenantScope> {
  const caller = request.caller;
  if (!caller) throw new ApiError('unauthorized', 'an API key is required');
  if (caller.projectId) return { orgId: caller.orgId, projectId: caller.projectId };
  if (!projectId) return { orgId: caller.orgId };
  const project = await meta.getProject(projectId);
  if (!project || project.orgId !== caller.orgId) {
    throw new ApiError('not_found', `project ${projectId} not found`, { field: 'project_id' });
  }
  return { orgId: caller.orgId, projectId };
}

export const authPlugin = fastifyPlugin(
  async (
    app: FastifyInstance,
    options: {
      meta: MetaStore;
      hot: HotStore;
      keyCacheMs: number;
      pricing: PricingService;
      contentKeys: ContentKeyring;
    },
  ) => {
    // Verified keys are reused for keyCacheMs so the gateway's hot path does not ask the meta
    // store on every call; the revocation epoch (one hot-store read) tells when to stop early.
    const verified = localCache<
      string,
      { caller: Caller; keyExpiresAt: number; epoch: string | null }
    >({ max: 10_000, ttlMs: Math.max(1, options.keyCacheMs) });
    /** Bumped by this process's revocations: works even when the hot store is unreachable. */
    let localEpoch = 0;

    const organizations = localCache<string, Organization>({
      max: 10_000,
      ttlMs: ORGANIZATION_CACHE_MS,
    });
    let lastEpoch: string | undefined;
    /** The revocation epoch now: the shared counter with this process's own. */
    async function currentEpoch(): Promise<string | null> {
      try {
        const epoch = `${localEpoch}:${(await options.hot.get(KEY_REVOCATION_EPOCH)) ?? 0}`;
        // Another process changed an org (its prices, retention...): load the orgs again too.
        if (epoch !== lastEpoch) {
          organizations.clear();
          options.pricing.markGlobalOverridesStale();
        }
        lastEpoch = epoch;
        return epoch;
      } catch (error) {
        app.log.warn({ err: error }, 'could not read the key revocation epoch from the hot store');
        return null;
      }
    }

    async function organizationOf(orgId: string): Promise<Organization | undefined> {
      const cached = organizations.get(orgId);
      if (cached) return cached;
      const organization = await options.meta.getOrganization(orgId);
      if (organization) organizations.set(orgId, organization);
      return organization;
    }

    async function authenticate(request: FastifyRequest): Promise<Caller> {
      const secret = presentedSecret(request);
      if (!secret) {
        throw new ApiError(
          'unauthorized',
          'an API key is required: send "Authorization: Bearer tg_..."',
        );
      }
      const hash = hashApiKeySecret(secret);
      const now = Date.now();
      const cached = verified.get(hash);
      const epoch = options.keyCacheMs > 0 ? await currentEpoch() : null;
      await options.pricing.refreshGlobalOverrides();
      if (cached && cached.keyExpiresAt > now) {
        // Unreadable epoch (hot store down): the local part still catches this process's revocations.
        const stillValid =
          epoch === null
            ? cached.epoch?.startsWith(`${localEpoch}:`) === true
            : cached.epoch === epoch;
        if (stillValid) return cached.caller;
        verified.delete(hash);
      }
      const key = await options.meta.findApiKeyByHash(hash);
      if (!key || key.revokedAt)
        throw new ApiError('unauthorized', 'the API key is unknown or revoked');
      if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) {
        throw new ApiError('unauthorized', 'the API key has expired');
      }
      const organization = await organizationOf(key.orgId);
      if (!organization)
        throw new ApiError('unauthorized', 'the API key belongs to no organization');
      const project = key.projectId ? await options.meta.getProject(key.projectId) : undefined;
      const caller: Caller = {
        keyId: key.id,
        orgId: key.orgId,
        projectId: key.projectId,
        scopes: key.scopes,
        retentionDays: retentionDaysOf(organization),
        rateLimits: { key: key.rateLimits, org: organization.rateLimits },
        priceOverrides: options.pricing.forOrganization(organization.priceOverrides),
        contentStorage: project?.contentStorage ?? true,
        piiRedaction: project?.piiRedaction ?? false,
        contentKey: project?.contentEncryption
          ? await options.contentKeys.keyFor(key.orgId)
          : undefined,
      };
      if (options.keyCacheMs > 0) {
        verified.set(hash, {
          caller,
          keyExpiresAt: key.expiresAt?.getTime() ?? Infinity,
          epoch,
        });
      }
      return caller;
    }

    /**
     * The caller a request acts as. `?org_id=` names the organization a read runs in: an admin
     * key of the operator organization may name any org, and then reads it as that org's admin
     * would; naming another org with any other key is answered as for an org that does not exist
     * (404, so no one learns which orgs exist). Writes always act on the key's own org: naming
     * another one there is refused (400). Every route resolves its tenant from the caller, so
     * this is the one place that decides whose data a request may read.
     */
    async function callerOf(request: FastifyRequest): Promise<Caller> {
      const caller = await authenticate(request);
      const named = namedOrganization(request);
      if (named === undefined || named === caller.orgId) return caller;
      if (!READ_METHODS.has(request.method)) {
        throw new ApiError(
          'invalid_request',
          `${ORG_PARAMETER}: only reads take another organization; a write acts on the key's own`,
          { field: ORG_PARAMETER },
        );
      }
      const own = await organizationOf(caller.orgId);
      const operatorAdmin =
        own?.operator === true && caller.projectId === null && caller.scopes.includes('admin');
      const target = operatorAdmin ? await organizationOf(named) : undefined;
      if (!target) {
        throw new ApiError('not_found', `organization ${named} not found`, {
          field: ORG_PARAMETER,
        });
      }
      return {
        ...caller,
        orgId: target.id,
        projectId: null,
        retentionDays: retentionDaysOf(target),
        rateLimits: { key: caller.rateLimits.key, org: target.rateLimits },
        priceOverrides: options.pricing.forOrganization(target.priceOverrides),
        contentStorage: true,
        piiRedaction: false,
        contentKey: undefined,
        keyOrgId: caller.orgId,
      };
    }

    app.decorate('invalidateVerifiedKeys', async () => {
      localEpoch += 1;
      verified.clear();
      organizations.clear();
      try {
        await options.hot.increment(KEY_REVOCATION_EPOCH);
      } catch (error) {
        app.log.warn(
          { err: error },
          'could not raise the key revocation epoch: other processes may accept the key until their cache expires',
        );
      }
    });
    app.decorateRequest('caller', undefined);
    app.decorate('requireScope', (scope: KeyScope): preHandlerAsyncHookHandler => {
      return async (request) => {
        const caller = (request.caller ??= await callerOf(request));
        if (!caller.scopes.includes(scope) && !caller.scopes.includes('admin')) {
          throw new ApiError('forbidden', `this endpoint needs a key with the "${scope}" scope`);
        }
      };
    });
  },
  { name: 'tollgate-auth' },
);
