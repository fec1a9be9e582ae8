import { FallbacksResponse } from '@tollgate/core/api';
import { divideRounded } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { presentEvent } from '../present-event';
import {
  boundedInteger,
  money,
  parseAnalyticsRequest,
  rangeOf,
  ratio,
  analyticsQuery,
} from './analytics-parameters';

const FALLBACK = ['ai_fallback'] as const;
const DAY_MS = 86_400_000;
const MONTH_MS = 30 * DAY_MS;

const fallbacksExtra = z.object({
  minCount: boundedInteger(5, 1_000_000, 0),
  limit: boundedInteger(20, 100),
});
const fallbacksQuery = analyticsQuery(fallbacksExtra);
const fallbacksLearningCandidatesExtra = z.object({
  minSuccesses: boundedInteger(10, 1_000_000, 0),
  limit: boundedInteger(20, 100),
});
const fallbacksLearningCandidatesQuery = analyticsQuery(fallbacksLearningCandidatesExtra);

/**
 * AI-fallback analytics: `GET /api/v1/analytics/fallbacks` (cost per method,
 * latency per decision type and per method, top methods with at least
 * `minCount` calls, recent failures) and
 * `GET /api/v1/analytics/fallbacks/learning-candidates` (methods that fell
 * back successfully more than `minSuccesses` times: worth implementing for
 * real), with typical arguments, cost so far and a projected monthly cost.
 */
export async function analyticsFallbackRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/api/v1/analytics/fallbacks',
    {
      preValidation: app.requireScope('read'),
      schema: { querystring: fallbacksQuery, response: { 200: FallbacksResponse } },
    },
    async (request) => {
      const { scope, query, extra } = await parseAnalyticsRequest(
        app,
        request,
        fallbacksExtra,
        FALLBACK,
      );
      const fallbackQuery = { ...query, filters: { ...query.filters, eventTypes: FALLBACK } };
      const analytics = app.stores.events.analytics;
      const [costByMethod, byDecision, byMethod, topMethods, failures] = await Promise.all([
        analytics.cost(scope, { ...fallbackQuery, groupBy: 'method' }),
        analytics.latency(scope, { ...fallbackQuery, groupBy: 'decision' }),
        analytics.latency(scope, { ...fallbackQuery, groupBy: 'method' }),
        analytics.successRates(scope, {
          ...fallbackQuery,
          groupBy: 'method',
          minSamples: extra.minCount,
        }),
        analytics.failures(scope, { ...fallbackQuery, limit: extra.limit }),
      ]);
      await app.contentKeys.openRows(scope.orgId, failures);
      const total = costByMethod.reduce((sum, row) => sum + row.cost_nanos, 0n);
      return {
        ...rangeOf(query),
        total: { calls: costByMethod.reduce((sum, row) => sum + row.requests, 0), ...money(total) },
        cost_by_method: costByMethod.map(({ cost_nanos, ...row }) => ({
          method: row.key,
          calls: row.requests,
          input_tokens: row.input_tokens,
          output_tokens: row.output_tokens,
          ...money(cost_nanos),
        })),
        performance_by_decision: byDecision,
        performance_by_method: byMethod,
        top_methods: topMethods.map((row) => ({
          service: row.service,
          method: row.method,
          calls: row.requests,
          failures: row.errors,
          success_rate: ratio(row.requests - row.errors, row.requests),
        })),
        min_count: extra.minCount,
        failures: failures.map(presentEvent),
      };
    },
  );

  app.get(
    '/api/v1/analytics/fallbacks/learning-candidates',
    {
      preValidation: app.requireScope('read'),
      schema: { querystring: fallbacksLearningCandidatesQuery },
    },
    async (request) => {
      const { scope, query, extra } = await parseAnalyticsRequest(
        app,
        request,
        fallbacksLearningCandidatesExtra,
        FALLBACK,
      );
      const rows = await app.stores.events.analytics.learningCandidates(scope, {
        from: query.from,
        to: query.to,
        minSuccesses: extra.minSuccesses,
        limit: extra.limit,
      });
      // An encrypting project's arguments come sealed and whole: opened, then cut like the others.
      for (const row of rows) {
        const opened = row.typical_arguments.map((input) => ({ input, output: '' }));
        await app.contentKeys.openRows(scope.orgId, opened);
        row.typical_arguments = opened.map(({ input }) => input.slice(0, 500));
      }
      const rangeMs = BigInt(query.to - query.from);
      return {
        ...rangeOf(query),
        min_successes: extra.minSuccesses,
        projection: 'cost in the range scaled to 30 days: cost × 30 days ÷ range length',
        candidates: rows.map(({ cost_nanos, typical_arguments, ...row }) => ({
          ...row,
          typical_arguments: typical_arguments.map(parseArguments),
          ...money(cost_nanos, 'cost_so_far'),
          ...money(divideRounded(cost_nanos * BigInt(MONTH_MS), rangeMs), 'projected_monthly_cost'),
        })),
      };
    },
  );
}

/** Arguments are stored as JSON text (cut at 500 characters): parsed when whole, as text otherwise. */
function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
