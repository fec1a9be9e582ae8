import { EventsListResponse } from '@tollgate/core/api';
import { EVENT_STATUSES, EVENT_TYPES, type EventRow } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readScope } from '../auth/auth-plugin';
import { ApiError } from '../http/errors';
import { parseTimeRange } from '../http/time-range';
import { parseEventBatch, parseNdjson, type EventItemError } from '../ingest/parse-event-batch';
import { linkSpanEvents } from '../ingest/otlp/link-span-events';
import { presentEvent } from './present-event';
import { searchableText } from './text-search';

const listQuerySchema = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
  event_type: z.enum(EVENT_TYPES).optional(),
  run_id: z.string().max(128).optional(),
  user_id: z.string().max(256).optional(),
  session_id: z.string().max(256).optional(),
  name: z.string().max(256).optional(),
  run_name: z.string().max(256).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  model: z.string().max(256).optional(),
  status: z.enum(EVENT_STATUSES).optional(),
  project_id: z.string().max(128).optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl'];

export async function eventsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { maxBytes, maxEvents, maxFutureSkewMs } = app.configuration.ingest;

  app.addContentTypeParser(
    NDJSON_TYPES,
    { parseAs: 'string', bodyLimit: maxBytes },
    (_request, body, done) => {
      done(null, parseNdjson(body as string));
    },
  );

  app.post(
    '/api/v1/events',
    // The key is checked before the body is read: no one without a key makes us parse 10 MiB.
    { bodyLimit: maxBytes, onRequest: app.requireScope('ingest') },
    async (request, reply) => {
      const caller = request.caller!;
      if (!caller.projectId) {
        throw new ApiError(
          'forbidden',
          'ingestion needs a project key: events belong to a project',
        );
      }
      let items: unknown[];
      let lineErrors: EventItemError[] = [];
      let lineIndexes: number[] | undefined;
      const body = request.body;
      if (typeof body === 'string') {
        throw new ApiError(
          'unsupported_media_type',
          'send events as application/json (an array) or application/x-ndjson',
          { field: 'content-type' },
        );
      }
      if (body && typeof body === 'object' && 'indexes' in body && 'items' in body) {
        const ndjson = body as ReturnType<typeof parseNdjson>;
        items = ndjson.items;
        lineErrors = ndjson.errors;
        lineIndexes = ndjson.indexes;
      } else if (Array.isArray(body)) {
        items = body;
      } else if (body && typeof body === 'object') {
        items = [body];
      } else {
        throw new ApiError('invalid_request', 'the body must be a JSON array of events or NDJSON', {
          field: 'body',
        });
      }
      if (items.length + lineErrors.length === 0) {
        throw new ApiError('invalid_request', 'the batch holds no event', { field: 'body' });
      }
      if (items.length > maxEvents) {
        throw new ApiError('payload_too_large', `a batch may hold at most ${maxEvents} events`, {
          field: 'body',
          count: items.length,
        });
      }
      const batch = parseEventBatch(
        items,
        {
          orgId: caller.orgId,
          projectId: caller.projectId,
          retentionDays: caller.retentionDays,
          priceOverrides: caller.priceOverrides,
          contentStorage: caller.contentStorage,
          piiRedaction: caller.piiRedaction,
          contentKey: caller.contentKey,
        },
        { maxFutureSkewMs },
      );
      const errors = lineErrors
        .concat(
          lineIndexes
            ? batch.errors.map((error) => ({
                ...error,
                index: lineIndexes![error.index] ?? error.index,
              }))
            : batch.errors,
        )
        .sort((a, b) => a.index - b.index);
      if (batch.accepted === 0) {
        app.metrics.ingested(0, items.length + lineErrors.length);
        throw new ApiError(
          'invalid_events',
          `none of the ${items.length + lineErrors.length} events is valid`,
          {
            errors,
          },
        );
      }
      await app.eventWriter.write(batch.rows, batch.accepted);
      const rejected = items.length + lineErrors.length - batch.accepted;
      app.metrics.ingested(batch.accepted, rejected);
      return reply.status(errors.length > 0 ? 207 : 200).send({
        accepted: batch.accepted,
        rejected,
        event_ids: batch.eventIds,
        errors,
      });
    },
  );

  app.get(
    '/api/v1/events',
    {
      preValidation: app.requireScope('read'),
      schema: { querystring: listQuerySchema, response: { 200: EventsListResponse } },
    },
    async (request) => {
      const query = request.query;
      const scope = await readScope(request, app.stores.meta, query.project_id);
      const range = parseTimeRange(query);
      const page = await app.stores.events.listEvents(scope, {
        ...range,
        eventType: query.event_type,
        runId: query.run_id,
        userId: query.user_id,
        sessionId: query.session_id,
        name: query.name,
        runName: query.run_name,
        text: await searchableText(app.stores.meta, scope, query.q),
        model: query.model,
        status: query.status,
        cursor: query.cursor,
        limit: query.limit,
      });
      await app.contentKeys.openRows(scope.orgId, page.events);
      return {
        from: new Date(range.from).toISOString(),
        to: new Date(range.to).toISOString(),
        // OTLP spans name their parents by span id, and their content may be in log events.
        events: linkSpanEvents(page.events).map((event: EventRow) => presentEvent(event)),
        next_cursor: page.nextCursor ?? null,
      };
    },
  );
}
