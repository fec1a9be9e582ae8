import { RecommendationsResponse } from '@tollgate/core/api';
import { PriceList } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  analyticsQuery,
  boundedInteger,
  COST_EVENT_TYPES,
  parseAnalyticsRequest,
  rangeOf,
} from './analytics-parameters';
import {
  budgetRecommendations,
  cheaperModelRecommendations,
  promptCachingRecommendations,
  RECOMMENDATION_BOUNDS,
  repeatedRequestRecommendations,
  unpricedRecommendations,
  type BudgetProjectionInput,
} from './recommendations';

const recommendationsSchema = z.object({
  limit: boundedInteger(20, 100),
});

/**
 * `GET /api/v1/analytics/recommendations`: where the caller's recorded model
 * calls in the range could cost less, each with its evidence and the exact
 * saving (in the range and per month at the same rate): models without a
 * price, a cheaper model serving the same prompt within the stated bounds,
 * identical requests a response cache would have answered, long shared
 * prompt prefixes provider prompt caching would discount, and budgets
 * projected to run out before their period ends. Reads run one after another
 * (concurrent reads contend on the embedded engine).
 */
export async function analyticsRecommendationsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/analytics/recommendations',
    {
      preValidation: app.requireScope('read'),
      schema: {
        querystring: analyticsQuery(recommendationsSchema),
        response: { 200: RecommendationsResponse },
      },
    },
    async (request) => {
      const { scope, query, extra } = await parseAnalyticsRequest(
        app,
        request,
        recommendationsSchema,
        COST_EVENT_TYPES,
      );
      const analytics = app.stores.events.analytics;
      const windowMs = query.to - query.from;
      const prices = request.caller?.priceOverrides ?? PriceList.of();
      const unpriced = await analytics.unpricedModels(scope, { ...query, limit: extra.limit });
      const usage = await analytics.modelUsage(scope, { ...query, limit: 1000 });
      const repeated = await analytics.repeatedRequests(scope, {
        ...query,
        minCalls: RECOMMENDATION_BOUNDS.min_identical_calls,
        limit: extra.limit,
      });
      const prefixes = await analytics.promptPrefixes(scope, {
        ...query,
        minCalls: RECOMMENDATION_BOUNDS.min_prefix_calls,
        minPrefixTokens: RECOMMENDATION_BOUNDS.min_cacheable_prefix_tokens,
        cacheTtlMs: RECOMMENDATION_BOUNDS.prompt_cache_ttl_minutes * 60_000,
        limit: extra.limit,
      });
      const budgets = await budgetInputs(app, scope);
      const cheaper = cheaperModelRecommendations(usage, prices, windowMs).slice(0, extra.limit);
      return {
        ...rangeOf(query),
        bounds: RECOMMENDATION_BOUNDS,
        recommendations: [
          ...unpricedRecommendations(unpriced),
          ...cheaper,
          ...repeatedRequestRecommendations(repeated, windowMs),
          ...promptCachingRecommendations(prefixes, prices, windowMs),
          ...budgetRecommendations(budgets, Date.now()),
        ],
      };
    },
  );
}

/** The caller's budgets with their spend this period: all of an org key's, a project key's own. */
async function budgetInputs(
  app: FastifyInstance,
  scope: { orgId: string; projectId?: string },
): Promise<BudgetProjectionInput[]> {
  const guard = app.budgets.guard;
  const all = await guard.budgetsOf(scope.orgId);
  const visible = scope.projectId
    ? all.filter((budget) => budget.scope === 'project' && budget.scopeId === scope.projectId)
    : all;
  const inputs: BudgetProjectionInput[] = [];
  for (const budget of visible) {
    const status = await guard.statusOf(budget);
    inputs.push({
      id: budget.id,
      scope: budget.scope,
      scopeId: budget.scopeId,
      period: budget.period,
      amountNanos: budget.amountNanos,
      spentNanos: BigInt(status.spentNanos),
      periodStart: status.window.start,
      periodEnd: status.window.end,
    });
  }
  return inputs;
}
