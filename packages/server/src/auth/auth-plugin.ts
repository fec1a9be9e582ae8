import {
  PLAN_RETENTION_DAYS,
  type KeyScope,
  type MetaStore,
  type Organization,
  type TenantScope,
} from '@tollgate/core';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { ApiError } from '../http/errors';
import { hashApiKeySecret } from './api-key-secret';

/** Who is calling, resolved from the API key. */
export interface Caller {
  keyId: string;
  orgId: string;
  /** Null for an org-wide key. */
  projectId: string | null;
  scopes: readonly KeyScope[];
  retentionDays: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
  interface FastifyInstance {
    /** A pre-handler that admits only keys carrying `scope` (or `admin`). */
    requireScope(scope: KeyScope): preHandlerAsyncHookHandler;
  }
}

const ORGANIZATION_CACHE_MS = 30_000;

export function retentionDaysOf(organization: Organization): number {
  return organization.retentionDays ?? PLAN_RETENTION_DAYS[organization.plan];
}

function presentedSecret(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization.toLowerCase().startsWith('bearer ')) {
    return authorization.slice(7).trim();
  }
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
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
  async (app: FastifyInstance, options: { meta: MetaStore; keyCacheMs: number }) => {
    // Verified keys are reused for keyCacheMs so the gateway's hot path does not ask the meta
    // store on every call; a revoked key stops working within that time.
    const verified = new Map<string, { caller: Caller; expiresAt: number; keyExpiresAt: number }>();
    const organizations = new Map<string, { organization: Organization; loadedAt: number }>();

    async function organizationOf(orgId: string): Promise<Organization | undefined> {
      const cached = organizations.get(orgId);
      if (cached && Date.now() - cached.loadedAt < ORGANIZATION_CACHE_MS)
        return cached.organization;
      const organization = await options.meta.getOrganization(orgId);
      if (organization) organizations.set(orgId, { organization, loadedAt: Date.now() });
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
      if (cached && cached.expiresAt > now && cached.keyExpiresAt > now) return cached.caller;
      const key = await options.meta.findApiKeyByHash(hash);
      if (!key || key.revokedAt)
        throw new ApiError('unauthorized', 'the API key is unknown or revoked');
      if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) {
        throw new ApiError('unauthorized', 'the API key has expired');
      }
      const organization = await organizationOf(key.orgId);
      if (!organization)
        throw new ApiError('unauthorized', 'the API key belongs to no organization');
      const caller: Caller = {
        keyId: key.id,
        orgId: key.orgId,
        projectId: key.projectId,
        scopes: key.scopes,
        retentionDays: retentionDaysOf(organization),
      };
      if (options.keyCacheMs > 0) {
        if (verified.size > 10_000) verified.clear();
        verified.set(hash, {
          caller,
          expiresAt: now + options.keyCacheMs,
          keyExpiresAt: key.expiresAt?.getTime() ?? Infinity,
        });
      }
      return caller;
    }

    app.decorateRequest('caller', undefined);
    app.decorate('requireScope', (scope: KeyScope): preHandlerAsyncHookHandler => {
      return async (request) => {
        const caller = (request.caller ??= await authenticate(request));
        if (!caller.scopes.includes(scope) && !caller.scopes.includes('admin')) {
          throw new ApiError('forbidden', `this endpoint needs a key with the "${scope}" scope`);
        }
      };
    });
  },
  { name: 'tollgate-auth' },
);
