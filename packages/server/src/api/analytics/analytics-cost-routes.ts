import { CostResponse, CostSummaryResponse } from '@tollgate/core/api';
import { COST_GROUPS, divideRounded, type CostRow } from '@tollgate/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ApiError } from '../../http/errors';
import { z } from 'zod';
import {
  COST_EVENT_TYPES,
  money,
  parseAnalyticsRequest,
  rangeOf,
  analyticsQuery,
} from './analytics-parameters';

/** The most unpriced models a cost summary lists. */
const UNPRICED_MODELS_LISTED = 100;

function presentCost(row: CostRow) {
  const average = row.requests > 0 ? divideRounded(row.cost_nanos, BigInt(row.requests)) : 0n;
  return {
    key: row.key,
    requests: row.requests,
    input_tokens: row.input_tokens,
    output_tokens: row.output_tokens,
    ...money(row.cost_nanos),
    ...money(average, 'average_cost'),
  };
}

const sumCost = (rows: readonly CostRow[]) => rows.reduce((sum, row) => sum + row.cost_nanos, 0n);

/** `user_id`: one end user's calls (read from raw events: the rollups have no user). */
const userFilter = { user_id: z.string().min(1).max(256).optional() };

/** A project key asking for another project's figures is told it does not exist. */
function assertOwnProject(request: FastifyRequest, projectId: unknown): void {
  const own = request.caller?.projectId;
  if (own && typeof projectId === 'string' && projectId !== own) {
    throw new ApiError('not_found', `project ${projectId} not found`, { field: 'project_id' });
  }
}

const costExtra = z.object({ groupBy: z.enum(COST_GROUPS).default('none'), ...userFilter });
const costQuery = analyticsQuery(costExtra);
const costSummaryExtra = z.object(userFilter);
const costSummaryQuery = analyticsQuery(costSummaryExtra);

/**
 * `GET /api/v1/analytics/cost?groupBy=`: total, count and average cost per
 * group; `GET /api/v1/analytics/cost/summary`: one tenant's (the key's
 * project, or an org key's org or `project_id`), optionally one end user's
 * (`user_id`), total with breakdowns by operation, model and day (what the
 * SDK's cost tracker reads). Model calls (`prompt_call`) unless `event_type` says otherwise.
 */
export async function analyticsCostRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/api/v1/analytics/cost',
    {
      preValidation: app.requireScope('read'),
      schema: { querystring: costQuery, response: { 200: CostResponse } },
    },
    async (request) => {
      const { scope, query, extra } = await parseAnalyticsRequest(
        app,
        request,
        costExtra,
        COST_EVENT_TYPES,
      );
      const rows = await app.stores.events.analytics.cost(scope, {
        ...query,
        filters: { ...query.filters, userId: extra.user_id },
        groupBy: extra.groupBy,
      });
      return {
        ...rangeOf(query),
        group_by: extra.groupBy,
        total: {
          requests: rows.reduce((sum, row) => sum + row.requests, 0),
          ...money(sumCost(rows)),
        },
        rows: rows.map(presentCost),
      };
    },
  );

  app.get(
    '/api/v1/analytics/cost/summary',
    {
      preValidation: app.requireScope('read'),
      schema: { querystring: costSummaryQuery, response: { 200: CostSummaryResponse } },
    },
    async (request) => {
      assertOwnProject(request, request.query.project_id);
      const parsed = await parseAnalyticsRequest(app, request, costSummaryExtra, COST_EVENT_TYPES);
      const { scope } = parsed;
      const userId = parsed.extra.user_id;
      const query = { ...parsed.query, filters: { ...parsed.query.filters, userId } };
      const analytics = app.stores.events.analytics;
      const [total, byOperation, byModel, byDay, unpriced] = await Promise.all([
        analytics.cost(scope, { ...query, groupBy: 'none' }),
        analytics.cost(scope, { ...query, groupBy: 'operation' }),
        analytics.cost(scope, { ...query, groupBy: 'model' }),
        analytics.cost(scope, { ...query, groupBy: 'day' }),
        analytics.unpricedModels(scope, { ...query, limit: UNPRICED_MODELS_LISTED }),
      ]);
      const overall = total[0];
      return {
        ...rangeOf(query),
        org_id: scope.orgId,
        project_id: scope.projectId ?? null,
        user_id: userId ?? null,
        total: overall
          ? presentCost(overall)
          : presentCost({
              key: '',
              requests: 0,
              input_tokens: 0,
              output_tokens: 0,
              cost_nanos: 0n,
            }),
        by_operation: byOperation.map(presentCost),
        by_model: byModel.map(presentCost),
        by_day: byDay.map(presentCost),
        // Calls whose cost is unknown: not in the totals above, never counted as $0.
        unpriced: {
          calls: unpriced.reduce((sum, row) => sum + row.calls, 0),
          models: unpriced,
        },
      };
    },
  );
}
