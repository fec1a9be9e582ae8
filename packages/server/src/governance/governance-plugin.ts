import type { Clock, Project, RateLimitSettings } from '@tollgate/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { lazyTokenCounter, type TokenCounter } from '../tokens/token-counter';
import type { ResolvedRoute } from '../gateway/routing/route-table';
import { ApiError } from '../http/errors';
import { RateLimiter } from './rate-limiter';
import { RedisRateLimitBackend } from './redis-rate-limit-backend';
import { RedisHotStore } from '../stores/hot/redis-hot-store';
import { localCache } from '../stores/hot/local-cache';
import type { RateLimitRule } from './sliding-window';

export interface Governance {
  rateLimiter: RateLimiter;
  /** The gateway endpoints' pre-handler (after auth): rate limits before any provider is called. */
  admitGatewayCall(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

/** The route the admission check resolved for a call, so the gateway does not resolve it again. */
export interface AdmittedRoute {
  orgId: string;
  model: string;
  route: ResolvedRoute | undefined;
}

export interface GovernancePluginOptions {
  /** The app's clock: the rate limits' windows. */
  clock: Clock;
}

declare module 'fastify' {
  interface FastifyInstance {
    governance: Governance;
  }
  interface FastifyRequest {
    /** Set by the gateway's admission check when it resolved the call's route (per-route limits). */
    admittedRoute: AdmittedRoute | undefined;
  }
}

const PROJECT_CACHE_MS = 10_000;
const MAX_PENDING = 10_000;
/** A call's token estimate is settled when it is recorded; one never recorded is dropped after this. */
const PENDING_SETTLEMENT_MS = 600_000;

interface PendingSettlement {
  window: number;
  tokenKeys: string[];
  estimate: number;
}

/**
 * What the gateway body says about the call's size: its model, and a way to
 * estimate its tokens (asked only when a token limit applies: tokenizing the
 * prompt is a large share of a call's cost).
 */
function callFacts(
  body: unknown,
  tokenCounter: TokenCounter,
): { model: string; estimateTokens: () => number } {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const model = typeof fields.model === 'string' ? fields.model.slice(0, 256) : '';
  const estimateTokens = () => {
    const prompt = fields.messages ?? fields.input ?? '';
    const promptText = typeof prompt === 'string' ? prompt : JSON.stringify(prompt);
    const maxOutput = [fields.max_completion_tokens, fields.max_tokens].find(
      (value): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0,
    );
    return tokenCounter.countText(promptText.slice(0, 1_000_000)) + Math.floor(maxOutput ?? 0);
  };
  return { model, estimateTokens };
}

/**
 * Governance of gateway calls: requests and tokens per minute per key,
 * project, org and model, sliding window, in Redis when configured (atomic
 * across processes), in memory otherwise or while Redis is unreachable.
 */
export const governancePlugin = fastifyPlugin(
  async (app: FastifyInstance, options: GovernancePluginOptions) => {
    const { configuration, stores } = app;
    const { clock } = options;
    const shared =
      stores.hot instanceof RedisHotStore
        ? new RedisRateLimitBackend(stores.hot.connection, stores.hot.namespace)
        : undefined;
    const rateLimiter = new RateLimiter(shared, app.log, () => clock.now());
    const tokenCounter = lazyTokenCounter;
    const projects = localCache<string, { project: Project | undefined }>({
      max: 10_000,
      ttlMs: PROJECT_CACHE_MS,
    });
    // A call with a token limit waits here until it is recorded; one never recorded expires.
    const pending = localCache<string, PendingSettlement>({
      max: MAX_PENDING,
      ttlMs: PENDING_SETTLEMENT_MS,
    });

    async function projectOf(id: string): Promise<Project | undefined> {
      const cached = projects.get(id);
      if (cached) return cached.project;
      const project = await stores.meta.getProject(id);
      projects.set(id, { project });
      return project;
    }

    async function admitGatewayCall(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      const caller = request.caller;
      if (!caller?.projectId) return; // The endpoint refuses org keys itself.
      // Budgets and max cost first: a refused call then uses none of the rate limits.
      await app.budgets.guard.admit(request);
      const project = await projectOf(caller.projectId);
      const { model, estimateTokens } = callFacts(request.body, tokenCounter);
      // The gateway is registered after this plugin; it exists by the time a call arrives.
      let route: ResolvedRoute | undefined;
      if (model) {
        try {
          route = await app.gateway.routeTable.resolve(caller.orgId, model);
          request.admittedRoute = { orgId: caller.orgId, model, route };
        } catch {
          // The gateway resolves it again and answers the failure in its own format.
        }
      }
      const levels: [string, Partial<RateLimitSettings> | undefined][] = [
        [`key:${caller.keyId}`, caller.rateLimits.key],
        [`project:${caller.projectId}`, project?.rateLimits],
        [`org:${caller.orgId}`, caller.rateLimits.org],
        [
          `model:${caller.orgId}:${model}`,
          {
            requestsPerMinute: configuration.rateLimits.modelRequestsPerMinute || null,
            tokensPerMinute: configuration.rateLimits.modelTokensPerMinute || null,
          },
        ],
        [`route:${caller.orgId}:${model}`, route?.rateLimits],
      ];
      const tokens = levels.some(([, limits]) => limits?.tokensPerMinute) ? estimateTokens() : 0;
      const rules: RateLimitRule[] = [];
      for (const [name, limits] of levels) {
        if (limits?.requestsPerMinute)
          rules.push({ key: `rpm:${name}`, cost: 1, limit: limits.requestsPerMinute });
        if (limits?.tokensPerMinute)
          rules.push({ key: `tpm:${name}`, cost: tokens, limit: limits.tokensPerMinute });
      }
      if (rules.length === 0) return;
      const admission = await rateLimiter.admit(rules);
      if (!admission.outcome.allowed) {
        const rule = admission.refusedBy;
        const what = rule?.key.startsWith('tpm:') ? 'tokens' : 'requests';
        throw new ApiError(
          'rate_limit_exceeded',
          `Rate limit reached: ${rule?.limit ?? 0} ${what} per minute for ${rule?.key.split(':').slice(1, 2).join('') ?? 'this key'}; retry in ${admission.headers['retry-after']} s`,
          { limit: rule?.key },
          admission.headers,
        );
      }
      reply.headers(admission.headers);
      const tokenKeys = rules.filter((rule) => rule.key.startsWith('tpm:')).map((rule) => rule.key);
      if (tokenKeys.length > 0) {
        pending.set(request.id, { window: admission.outcome.window, tokenKeys, estimate: tokens });
      }
    }

    // Token limits charge the estimate up front and settle to the real usage once the call is recorded.
    app.promptCalls.observe((_tenant, record) => {
      const settlement = pending.get(record.requestId);
      if (!settlement) return;
      pending.delete(record.requestId);
      const delta = record.inputTokens + record.outputTokens - settlement.estimate;
      for (const key of settlement.tokenKeys) {
        rateLimiter.settle(key, settlement.window, delta).catch((error: unknown) => {
          app.log.warn({ err: error }, 'could not settle a token rate limit');
        });
      }
    });
    app.decorateRequest('admittedRoute', undefined);
    app.decorate('governance', { rateLimiter, admitGatewayCall });
  },
  { name: 'tollgate-governance', dependencies: ['tollgate-auth', 'tollgate-budgets'] },
);
