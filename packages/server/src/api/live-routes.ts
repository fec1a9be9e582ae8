import { nanosToUsd } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readScope } from '../auth/auth-plugin';
import { parseTimeRange } from '../http/time-range';

const liveQuerySchema = z.object({
  /** The start of the window; its end is "now" at every push. */
  from: z.string().optional(),
  project_id: z.string().max(128).optional(),
  interval_ms: z.coerce.number().int().min(500).max(60_000).default(5_000),
});

/**
 * `GET /api/v1/live`: Server-Sent Events with the caller's tenant's model-call
 * totals from `from` to now (the hourly rollup), pushed at once and then every
 * `interval_ms`, so the dashboard's overview follows traffic without polling.
 */
export async function liveRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/live',
    { preValidation: app.requireScope('read'), schema: { querystring: liveQuerySchema } },
    async (request, reply) => {
      const query = request.query;
      const scope = await readScope(request, app.stores.meta, query.project_id);
      // Validates `from` now, so a bad one is a 400 rather than a broken stream.
      const { from } = parseTimeRange({ from: query.from });

      reply.hijack();
      const response = reply.raw;
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-request-id': request.id,
      });

      let closed = false;
      const push = async () => {
        try {
          const to = Date.now() + 1;
          const rows = await app.stores.events.summary(scope, { from, to, groupBy: 'event_type' });
          const calls = rows.find((row) => row.key === 'prompt_call');
          const figures = {
            at: new Date(to).toISOString(),
            requests: calls?.requests ?? 0,
            errors: calls?.errors ?? 0,
            cost_usd: nanosToUsd(calls?.cost_nanos ?? 0),
            latency_p50_ms: calls?.latency_p50_ms ?? 0,
            latency_p95_ms: calls?.latency_p95_ms ?? 0,
            latency_p99_ms: calls?.latency_p99_ms ?? 0,
          };
          if (!closed) response.write(`event: summary\ndata: ${JSON.stringify(figures)}\n\n`);
        } catch (error) {
          request.log.warn({ err: error }, 'live summary failed');
          if (!closed) response.write(`event: unavailable\ndata: {}\n\n`);
        }
      };
      const timer = setInterval(() => void push(), query.interval_ms);
      request.raw.on('close', () => {
        closed = true;
        clearInterval(timer);
      });
      await push();
    },
  );
}
