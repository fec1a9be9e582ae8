import { SUCCESS_GROUPS, TIME_BUCKETS } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { presentEvent } from '../present-event';
import {
  boundedInteger,
  CALL_EVENT_TYPES,
  parseAnalyticsRequest,
  rangeOf,
  ratio,
  analyticsQuery,
} from './analytics-parameters';

const limitSchema = z.object({ limit: boundedInteger(20, 100) });

const qualitySuccessRatesExtra = z.object({
  groupBy: z.enum(SUCCESS_GROUPS).default('method'),
  minSamples: boundedInteger(10, 1_000_000, 0),
});
const qualitySuccessRatesQuery = analyticsQuery(qualitySuccessRatesExtra);
const qualityErrorRateExtra = z.object({ bucket: z.enum(TIME_BUCKETS).default('hour') });
const qualityErrorRateQuery = analyticsQuery(qualityErrorRateExtra);
const limitQuery = analyticsQuery(limitSchema);

/**
 * Quality under `/api/v1/analytics/quality/`: `success-rates` (per service or
 * service and method, groups under `minSamples` left out), `error-rate` (per
 * hour or day), `top-errors` (most frequent messages), `slowest` and
 * `failures` (the events themselves, with their details).
 */
export async function analyticsQualityRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const analytics = () => app.stores.events.analytics;

  app.get(
    '/api/v1/analytics/quality/success-rates',
    { preValidation: app.requireScope('read'), schema: { querystring: qualitySuccessRatesQuery } },
    async (request) => {
      const { scope, query, extra } = await parseAnalyticsRequest(
        app,
        request,
        qualitySuccessRatesExtra,
        CALL_EVENT_TYPES,
      );
      const rows = await analytics().successRates(scope, { ...query, ...extra });
      return {
        ...rangeOf(query),
        group_by: extra.groupBy,
        min_samples: extra.minSamples,
        rows: rows.map((row) => ({
          ...row,
          successes: row.requests - row.errors,
          success_rate: ratio(row.requests - row.errors, row.requests),
        })),
      };
    },
  );

  app.get(
    '/api/v1/analytics/quality/error-rate',
    { preValidation: app.requireScope('read'), schema: { querystring: qualityErrorRateQuery } },
    async (request) => {
      const { scope, query, extra } = await parseAnalyticsRequest(
        app,
        request,
        qualityErrorRateExtra,
        CALL_EVENT_TYPES,
      );
      const rows = await analytics().errorRate(scope, { ...query, bucket: extra.bucket });
      return {
        ...rangeOf(query),
        bucket: extra.bucket,
        rows: rows.map((row) => ({
          bucket: new Date(row.bucket).toISOString(),
          requests: row.requests,
          errors: row.errors,
          error_rate: ratio(row.errors, row.requests),
        })),
      };
    },
  );

  app.get(
    '/api/v1/analytics/quality/top-errors',
    { preValidation: app.requireScope('read'), schema: { querystring: limitQuery } },
    async (request) => {
      const { scope, query, extra } = await parseAnalyticsRequest(
        app,
        request,
        limitSchema,
        CALL_EVENT_TYPES,
      );
      const rows = await analytics().topErrors(scope, { ...query, limit: extra.limit });
      return { ...rangeOf(query), rows };
    },
  );

  app.get(
    '/api/v1/analytics/quality/slowest',
    { preValidation: app.requireScope('read'), schema: { querystring: limitQuery } },
    async (request) => {
      const { scope, query, extra } = await parseAnalyticsRequest(
        app,
        request,
        limitSchema,
        CALL_EVENT_TYPES,
      );
      const events = await analytics().slowest(scope, { ...query, limit: extra.limit });
      await app.contentKeys.openRows(scope.orgId, events);
      return { ...rangeOf(query), events: events.map(presentEvent) };
    },
  );

  app.get(
    '/api/v1/analytics/quality/failures',
    { preValidation: app.requireScope('read'), schema: { querystring: limitQuery } },
    async (request) => {
      const { scope, query, extra } = await parseAnalyticsRequest(
        app,
        request,
        limitSchema,
        CALL_EVENT_TYPES,
      );
      const events = await analytics().failures(scope, { ...query, limit: extra.limit });
      await app.contentKeys.openRows(scope.orgId, events);
      return { ...rangeOf(query), events: events.map(presentEvent) };
    },
  );
}
