import { RunResponse } from '@tollgate/core/api';
import { parseEventTime } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readScope } from '../auth/auth-plugin';
import { ApiError } from '../http/errors';
import { assertStorableInput } from '../http/storable-text';
import { parseTimeRange } from '../http/time-range';
import { linkSpanEvents } from '../ingest/otlp/link-span-events';
import { presentEvent } from './present-event';

const runQuerySchema = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
  project_id: z.string().max(128).optional(),
});

/** The run id's own checks (its length, with the message clients know) are the handler's. */
const runParams = z.strictObject({ runId: z.string() });

const isoTime = (text: string) => new Date(parseEventTime(text)).toISOString();

export async function runsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/runs/:runId',
    {
      preValidation: app.requireScope('read'),
      schema: {
        params: runParams,
        querystring: runQuerySchema,
        response: { 200: RunResponse },
      },
    },
    async (request) => {
      const { runId } = request.params;
      assertStorableInput(runId, 'runId');
      if (runId.length > 128) {
        throw new ApiError('invalid_request', 'runId may be at most 128 characters', {
          field: 'runId',
        });
      }
      const query = request.query;
      const scope = await readScope(request, app.stores.meta, query.project_id);
      // A run rarely spans long: without a range, look back 30 days.
      const range = parseTimeRange({
        from: query.from ?? (query.to ? undefined : String(Date.now() - 30 * 86_400_000)),
        to: query.to,
      });
      const trace = await app.stores.events.getRun(scope, runId, range);
      for (const rows of [trace.events, trace.agentSteps, trace.toolCalls]) {
        await app.contentKeys.openRows(scope.orgId, rows);
      }
      // OTLP spans name their parents by span id, and their content may be in log events.
      trace.events = linkSpanEvents(trace.events);
      if (trace.events.length === 0) {
        throw new ApiError('not_found', `run ${runId} has no events in the time range`);
      }
      // Timing: the run spans from its first event to the latest event end (time + latency).
      const starts = trace.events.map((event) => parseEventTime(event.ts));
      const startedAt = Math.min(...starts);
      const endedAt = Math.max(
        ...trace.events.map((event, index) => starts[index]! + Math.round(event.latency_ms)),
      );
      return {
        run_id: runId,
        timing: {
          started_at: new Date(startedAt).toISOString(),
          ended_at: new Date(endedAt).toISOString(),
          duration_ms: endedAt - startedAt,
        },
        events: trace.events.map((event, index) => ({
          ...presentEvent(event),
          offset_ms: starts[index]! - startedAt,
        })),
        agent_steps: trace.agentSteps.map((step) => ({ ...step, ts: isoTime(step.ts) })),
        tool_calls: trace.toolCalls.map((call) => ({ ...call, ts: isoTime(call.ts) })),
      };
    },
  );
}
