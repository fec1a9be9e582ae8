import { buildEventRow, eventTimeFromId, isEventId, type EventRow } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../http/errors';
import { MAX_RANGE_MS } from '../http/time-range';
import { sealRowContent } from '../secrets/content-keys';

const feedbackBodySchema = z.object({
  score: z.number().min(0).max(5),
  comment: z.string().max(10_000).optional(),
});

/** The rated event's id, a ULID in any case. */
const feedbackParams = z.strictObject({
  eventId: z
    .string()
    .transform((id) => id.toUpperCase())
    .refine(isEventId, 'must be a ULID'),
});

const DAY_MS = 86_400_000;

/**
 * `POST /api/v1/events/:eventId/feedback` (project key, scope `ingest`):
 * `{ score: 0..5, comment? }` about an event of the caller's project, stored
 * as an immutable `custom` event named `feedback`: parent the rated event,
 * same run, user and session, `score` in its column, the comment as output,
 * and the rated event's prompt name and version copied on (so a prompt
 * version's average feedback needs no join). The model is kept in metadata,
 * not in the model column, so the rollups' per-model request counts stay
 * counts of calls. 404 when the project has no such event.
 */
export async function feedbackRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/api/v1/events/:eventId/feedback',
    {
      preValidation: [
        app.requireScope('ingest'),
        async (request) => {
          if (!request.caller?.projectId) {
            throw new ApiError(
              'forbidden',
              'feedback needs a project key: events belong to a project',
            );
          }
        },
      ],
      schema: { params: feedbackParams, body: feedbackBodySchema },
    },
    async (request, reply) => {
      const caller = request.caller!;
      const projectId = caller.projectId!;
      const { eventId } = request.params;
      const scope = { orgId: caller.orgId, projectId };
      const target = await findRatedEvent(app, scope, eventId);
      if (!target) throw new ApiError('not_found', `event ${eventId} not found in this project`);

      const { score, comment } = request.body;
      const row: EventRow = {
        ...buildEventRow(
          {
            event_type: 'custom',
            name: 'feedback',
            parent_id: eventId,
            run_id: target.run_id || undefined,
            user_id: target.user_id || undefined,
            session_id: target.session_id || undefined,
            service: target.service || undefined,
            output: comment,
            metadata: {
              rated_event_type: target.event_type,
              ...(target.model && { model: target.model }),
            },
          },
          { orgId: caller.orgId, projectId, retentionDays: caller.retentionDays },
        ),
        score,
        prompt_name: target.prompt_name,
        prompt_version: target.prompt_version,
      };
      // The comment is the rater's words: sealed like a prompt when the project encrypts content.
      if (caller.contentKey) sealRowContent(row, caller.contentKey);
      await app.eventWriter.write(Buffer.from(`${JSON.stringify(row)}\n`), 1);
      return reply.status(201).send({
        event_id: row.event_id,
        parent_id: eventId,
        score,
        comment: comment ?? null,
      });
    },
  );
}

/**
 * The rated event: looked for around its id's time first (a ULID carries it),
 * then over the longest range the API reads, for events sent with their own time.
 */
async function findRatedEvent(
  app: FastifyInstance,
  scope: { orgId: string; projectId: string },
  eventId: string,
): Promise<EventRow | undefined> {
  const analytics = app.stores.events.analytics;
  const idTime = eventTimeFromId(eventId);
  const near = await analytics.findEvent(scope, eventId, {
    from: Math.max(0, idTime - DAY_MS),
    to: idTime + DAY_MS,
  });
  if (near) return near;
  const now = Date.now();
  return analytics.findEvent(scope, eventId, { from: now - MAX_RANGE_MS, to: now + DAY_MS });
}
