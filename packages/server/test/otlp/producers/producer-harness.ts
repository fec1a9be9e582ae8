import { OTLPLogExporter as OTLPProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { expect } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/test-server';
import { listRunEvents, type ApiEvent } from '../run-events';
import { startOpenAiFormatUpstream, type OpenAiFormatUpstream } from './openai-format-upstream';

/**
 * The real Tollgate server on a loopback port, an OpenAI-format model server,
 * and OpenTelemetry's own SDK and OTLP exporters pointed at Tollgate: what an
 * app instrumented with any of the libraries under test would run.
 */
export interface ProducerHarness {
  server: TestServer;
  upstream: OpenAiFormatUpstream;
  tracerProvider: NodeTracerProvider;
  loggerProvider: LoggerProvider;
  /** Sends every finished span and log record to Tollgate and waits for the answers. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function startProducerHarness(
  options: {
    /** `json` (OTLP/HTTP JSON) or `protobuf` for the span exporter. */
    encoding?: 'json' | 'protobuf';
    /** Span processors of a library that exports on its own (Langfuse's). */
    spanProcessors?: (server: TestServer) => SpanProcessor[];
  } = {},
): Promise<ProducerHarness> {
  const server = await startTestServer();
  const upstream = await startOpenAiFormatUpstream();
  const headers = { authorization: `Bearer ${server.tenant.projectKey}` };
  const traceExporter =
    options.encoding === 'protobuf'
      ? new OTLPProtoTraceExporter({ url: `${server.url}/v1/traces`, headers })
      : new OTLPJsonTraceExporter({ url: `${server.url}/v1/traces`, headers });
  const resource = resourceFromAttributes({ 'service.name': 'drop-in-app' });
  const tracerProvider = new NodeTracerProvider({
    resource,
    spanProcessors: options.spanProcessors?.(server) ?? [new SimpleSpanProcessor(traceExporter)],
  });
  tracerProvider.register();
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [
      // Batched, as apps run it: the messages of one call travel in one request, in order.
      new BatchLogRecordProcessor({
        exporter: new OTLPProtoLogExporter({ url: `${server.url}/v1/logs`, headers }),
      }),
    ],
  });
  return {
    server,
    upstream,
    tracerProvider,
    loggerProvider,
    async flush() {
      await loggerProvider.forceFlush();
      await tracerProvider.forceFlush();
    },
    async close() {
      await loggerProvider.shutdown();
      await tracerProvider.shutdown();
      await upstream.close();
      await server.close();
    },
  };
}

/** The events of a run as `GET /api/v1/runs/:id` shows them (parents and content joined). */
export async function runEvents(server: TestServer, runId: string): Promise<ApiEvent[]> {
  const response = await server.request(`/api/v1/runs/${runId}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: ApiEvent[] }).events;
}

/** Asserts the run is one tree: every event but the root has a parent among the run's events. */
export function expectOneTree(events: readonly ApiEvent[], rootEventId: string): void {
  const ids = new Set(events.map((event) => event.event_id));
  for (const event of events) {
    if (event.event_id === rootEventId) expect(event.parent_id).toBe('');
    else expect(ids.has(event.parent_id), `parent of ${event.name}`).toBe(true);
  }
}

/** Every event of a run as the events listing shows it. */
export { listRunEvents };
