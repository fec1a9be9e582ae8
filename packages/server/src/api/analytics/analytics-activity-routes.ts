import {
  SessionDetailResponse,
  SessionsResponse,
  UserDetailResponse,
  UsersResponse,
} from '@tollgate/core/api';
import { searchableText } from '../text-search';
import { TIME_BUCKETS, type ActivityRow } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { linkSpanEvents } from '../../ingest/otlp/link-span-events';
import { presentEvent } from '../present-event';
import {
  boundedInteger,
  money,
  parseAnalyticsRequest,
  rangeOf,
  ratio,
  analyticsQuery,
} from './analytics-parameters';

/** A user or session id in a path or a filter: what the event model stores (1 to 256 characters). */
const idField = z.string().min(1).max(256);

/** The activity filters the lists take: user, session, an event name and free text. */
const activitySchema = z.object({
  limit: boundedInteger(200, 1000),
  user_id: idField.optional(),
  session_id: idField.optional(),
  name: z.string().min(1).max(256).optional(),
  q: z.string().trim().min(1).max(200).optional(),
});

const detailSchema = z.object({
  bucket: z.enum(TIME_BUCKETS).optional(),
});
const noExtra = z.object({});

/** The events of a session shown in its timeline, oldest first. */
const MAX_SESSION_EVENTS = 1000;
const DAY_MS = 86_400_000;

/** A user's or session's figures as the API shows them: exact money, the error rate of its calls. */
function presentActivity(row: ActivityRow) {
  const { cost_nanos, id, ...rest } = row;
  return {
    id,
    ...rest,
    error_rate: ratio(row.errors, row.calls),
    ...money(cost_nanos),
  };
}

/**
 * End users and sessions (`/api/v1/analytics/users`, `/sessions`, and one of
 * each): who used the app in the range, with calls, tokens, exact cost, error
 * rate, first and last seen; a user's sessions and spend over time; a
 * session's runs and events in order. Raw events, scoped to the caller.
 */
export async function analyticsActivityRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = app.requireScope('read');
  const { events } = app.stores;

  for (const by of ['user', 'session'] as const) {
    const listOptions = {
      preValidation,
      schema: {
        querystring: analyticsQuery(activitySchema),
        response: { 200: by === 'user' ? UsersResponse : SessionsResponse },
      },
    };
    app.get(`/api/v1/analytics/${by}s`, listOptions, async (request) => {
      const { scope, query, extra } = await parseAnalyticsRequest(app, request, activitySchema, []);
      const rows = await events.analytics.activity(scope, {
        by,
        from: query.from,
        to: query.to,
        limit: extra.limit,
        userId: extra.user_id,
        sessionId: extra.session_id,
        name: extra.name,
        text: await searchableText(app.stores.meta, scope, extra.q),
      });
      const activity = rows.map(presentActivity);
      return by === 'user'
        ? { ...rangeOf(query), users: activity }
        : { ...rangeOf(query), sessions: activity };
    });
  }

  app.get(
    '/api/v1/analytics/users/:userId',
    {
      preValidation,
      schema: {
        params: z.object({ userId: idField }),
        querystring: analyticsQuery(detailSchema),
        response: { 200: UserDetailResponse },
      },
    },
    async (request) => {
      const { userId } = request.params;
      const { scope, query, extra } = await parseAnalyticsRequest(app, request, detailSchema, []);
      const range = { from: query.from, to: query.to };
      const bucket = extra.bucket ?? (query.to - query.from > 2 * DAY_MS ? 'day' : 'hour');
      const [totals] = await events.analytics.activity(scope, {
        by: 'user',
        ...range,
        userId,
        limit: 1,
      });
      const sessions = await events.analytics.activity(scope, {
        by: 'session',
        ...range,
        userId,
        limit: 1000,
      });
      const spend = await events.analytics.spendOverTime(scope, { ...range, userId, bucket });
      return {
        ...rangeOf(query),
        user_id: userId,
        totals: totals ? presentActivity(totals) : null,
        sessions: sessions.map(presentActivity),
        bucket,
        spend: spend.map(({ cost_nanos, ...row }) => ({ ...row, ...money(cost_nanos) })),
      };
    },
  );

  app.get(
    '/api/v1/analytics/sessions/:sessionId',
    {
      preValidation,
      schema: {
        params: z.object({ sessionId: idField }),
        querystring: analyticsQuery(noExtra),
        response: { 200: SessionDetailResponse },
      },
    },
    async (request) => {
      const { sessionId } = request.params;
      const { scope, query } = await parseAnalyticsRequest(app, request, noExtra, []);
      const range = { from: query.from, to: query.to };
      const [totals] = await events.analytics.activity(scope, {
        by: 'session',
        ...range,
        sessionId,
        limit: 1,
      });
      const runs = await events.analytics.runs(scope, { ...range, sessionId, limit: 1000 });
      const page = await events.listEvents(scope, {
        ...range,
        sessionId,
        limit: MAX_SESSION_EVENTS,
      });
      await app.contentKeys.openRows(scope.orgId, page.events);
      return {
        ...rangeOf(query),
        session_id: sessionId,
        totals: totals ? presentActivity(totals) : null,
        // In the order they happened.
        runs: runs.reverse().map(({ cost_nanos, ...run }) => ({
          ...run,
          status: run.errors > 0 ? ('error' as const) : ('success' as const),
          ...money(cost_nanos),
        })),
        events: linkSpanEvents(page.events).reverse().map(presentEvent),
        events_truncated: page.nextCursor !== undefined,
      };
    },
  );
}
