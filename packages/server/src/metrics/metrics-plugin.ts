import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ApiError } from '../http/errors';
import type { Spool } from '../ingest/spool';
import type { CallJournal } from '../ingest/call-journal';
import { TollgateMetrics, type CacheResult } from './tollgate-metrics';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: TollgateMetrics;
  }
}

export interface MetricsPluginOptions {
  spool: Spool;
  callJournal: CallJournal;
}

let processRegistry: Registry | undefined;

/**
 * Node process metrics (`process_*`, `nodejs_*`, prom-client's default names)
 * describe the process, not an app: one registry per process, collected
 * once, merged into every app's exposition. (Per app, each test app would add
 * its own GC observer and event-loop monitor that nothing ever stops.)
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** The Prometheus exposition of an app: its own metrics, then the process's. */
export async function exposition(metrics: TollgateMetrics): Promise<string> {
  return Registry.merge([metrics.registry, processMetrics()]).metrics();
}

const CACHE_RESULTS: ReadonlySet<string> = new Set<CacheResult>(['hit', 'miss', 'bypass']);

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function hasToken(request: FastifyRequest, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), expected);
}

/**
 * Prometheus metrics: `GET /metrics` and `app.metrics`, the recording
 * functions the rest of the server calls. Register it before the routes that
 * record (ingestion, gateway). The endpoint needs no key, like most exporters
 * (the server listens on HOST, loopback by default), unless
 * `TOLLGATE_METRICS_TOKEN` is set: then it wants `Authorization: Bearer <token>`.
 */
export const metricsPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: MetricsPluginOptions) => {
    const metrics = new TollgateMetrics({
      spoolBytes: () => options.spool.bytes,
      writerStats: () => app.eventWriter.stats,
      journalFailures: () => options.callJournal.stats.failures,
    });
    app.decorate('metrics', metrics);
    app.promptCalls.observe((tenant, record) => metrics.promptCall(tenant, record));

    // Every answered gateway chat call says its cache result in `x-tollgate-cache`.
    app.addHook('onResponse', (request, reply, done) => {
      if (request.method === 'POST' && request.url.startsWith('/v1/')) {
        const cache = reply.getHeader('x-tollgate-cache');
        if (
          typeof cache === 'string' &&
          CACHE_RESULTS.has(cache) &&
          !request.url.startsWith('/v1/embeddings')
        ) {
          metrics.cacheResult(cache as CacheResult);
        }
      }
      done();
    });

    const token = app.configuration.metricsToken;
    const expected = token === undefined ? undefined : digest(token);
    app.get('/metrics', async (request, reply) => {
      if (expected && !hasToken(request, expected)) {
        throw new ApiError(
          'unauthorized',
          'the metrics endpoint needs its bearer token (TOLLGATE_METRICS_TOKEN)',
          undefined,
          { 'www-authenticate': 'Bearer realm="tollgate-metrics"' },
        );
      }
      const body = await exposition(metrics);
      return reply.type(metrics.registry.contentType).send(body);
    });
  },
  { name: 'tollgate-metrics' },
);
