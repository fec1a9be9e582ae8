import { EventDetailResponse } from '@tollgate/core/api';
import { eventTimeFromId, isEventId, type EventRow } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readScope } from '../auth/auth-plugin';
import { ApiError } from '../http/errors';
import { linkSpanEvents } from '../ingest/otlp/link-span-events';
import { presentPrice } from './admin-prices-routes';
import { presentEvent } from './present-event';

const DAY_MS = 86_400_000;
/** How far back an event is looked for when its id does not carry its time (400 days, as reads). */
const MAX_RANGE_MS = 400 * DAY_MS;

const eventIdField = z.string().min(1).max(128);
const detailQuerySchema = z.object({ project_id: z.string().max(128).optional() });

/**
 * `GET /api/v1/events/:eventId`: one event whole, for the dashboard's request
 * detail: the event (prompt and response as stored: none when its project
 * keeps no content, redacted when it redacts PII), tokens by kind, the price
 * the org's price list holds for its model now (beside `cost_source`, what
 * priced the call), attempts and providers tried, cache status, the guardrail
 * results of the same request, and the run it belongs to (its size, and this
 * event's place in it). Scoped to the caller; another tenant's event is a 404.
 */
export async function eventDetailRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { meta, events } = app.stores;

  app.get(
    '/api/v1/events/:eventId',
    {
      preValidation: app.requireScope('read'),
      schema: {
        params: z.object({ eventId: eventIdField }),
        querystring: detailQuerySchema,
        response: { 200: EventDetailResponse },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      const query = request.query;
      const scope = await readScope(request, meta, query.project_id);
      const row = await findEvent(app, scope, eventId);
      if (!row) throw new ApiError('not_found', `event ${eventId} not found`);
      await app.contentKeys.openRows(scope.orgId, [row]);
      const time = Date.parse(presentEvent(row).ts as string);
      const around = { from: Math.max(0, time - DAY_MS), to: time + DAY_MS };
      const runEvents = row.run_id ? (await events.getRun(scope, row.run_id, around)).events : [];
      await app.contentKeys.openRows(scope.orgId, runEvents);
      const run = linkSpanEvents(runEvents);
      const guardrails = run.filter(
        (each) =>
          each.event_type === 'guardrail' && row.request_id && each.request_id === row.request_id,
      );
      const project = await meta.getProject(row.project_id);
      const prices = request.caller!.priceOverrides;
      const resolved = row.model && prices ? prices.resolve(row.model) : undefined;
      return {
        event: presentEvent(row),
        tokens: {
          input: row.input_tokens,
          output: row.output_tokens,
          cached_input: row.cached_tokens,
          cache_write_5m: row.cache_write_5m_tokens,
          cache_write_1h: row.cache_write_1h_tokens,
          reasoning: row.reasoning_tokens,
          estimated: row.estimated_usage,
        },
        price:
          row.event_type === 'prompt_call'
            ? {
                cost_source: row.cost_source || null,
                unpriced: Boolean(row.cost_unpriced),
                service_tier: row.service_tier || null,
                current: resolved
                  ? {
                      matched: resolved.model,
                      source: resolved.source,
                      provider: resolved.provider,
                      usd_per_million_tokens_or_unit: presentPrice(resolved.price),
                    }
                  : null,
              }
            : null,
        guardrails: guardrails.map((each) => ({
          event_id: each.event_id,
          reference: each.reference,
          score: each.score,
          threshold: each.threshold,
          action: each.action,
          status: each.status,
        })),
        run: row.run_id
          ? {
              run_id: row.run_id,
              events: run.length,
              position: run.findIndex((each) => each.event_id === row.event_id) + 1,
            }
          : null,
        content: {
          // The project's settings now; the event was stored under those of its time.
          stored: project?.contentStorage ?? true,
          pii_redacted: project?.piiRedaction ?? false,
          encrypted: project?.contentEncryption ?? false,
        },
      };
    },
  );
}

/** The event, looked for around its id's time (a ULID carries it), then over every readable day. */
async function findEvent(
  app: FastifyInstance,
  scope: { orgId: string; projectId?: string },
  eventId: string,
): Promise<EventRow | undefined> {
  const analytics = app.stores.events.analytics;
  const now = Date.now();
  if (isEventId(eventId)) {
    const idTime = eventTimeFromId(eventId);
    const near = await analytics.findEvent(scope, eventId, {
      from: Math.max(0, idTime - DAY_MS),
      to: idTime + DAY_MS,
    });
    if (near) return near;
  }
  return analytics.findEvent(scope, eventId, { from: now - MAX_RANGE_MS, to: now + DAY_MS });
}
