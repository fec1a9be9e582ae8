import { randomBytes } from 'node:crypto';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import type { TestServer } from '../helpers/test-server';

export const hex = (bytes: number) => randomBytes(bytes).toString('hex');
export const nanos = (ms: number) => String(BigInt(ms) * 1_000_000n);
export const text = (value: string) => ({ stringValue: value });
export const attribute = (key: string, value: unknown) => ({ key, value });

/** A span in OTLP/JSON, starting `startMs` and lasting `durationMs`. */
export function jsonSpan(
  traceId: string,
  name: string,
  attributes: unknown[],
  extra: Record<string, unknown> = {},
  startMs = Date.now() - 30_000,
  durationMs = 250,
) {
  return {
    traceId,
    spanId: hex(8),
    name,
    kind: 3,
    startTimeUnixNano: nanos(startMs),
    endTimeUnixNano: nanos(startMs + durationMs),
    attributes,
    ...extra,
  };
}

/** An ExportTraceServiceRequest in OTLP/JSON with one resource and one scope. */
export function exportRequest(spans: unknown[], resourceAttributes: unknown[] = []) {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [attribute('service.name', text('raw-otlp')), ...resourceAttributes],
        },
        scopeSpans: [{ scope: { name: 'raw-test', version: '0.1' }, spans }],
      },
    ],
  };
}

export function postTraces(
  server: TestServer,
  body: BodyInit,
  headers: Record<string, string>,
  key?: string,
): Promise<Response> {
  return server.request('/v1/traces', { method: 'POST', body, headers, key });
}

export function postJsonTraces(server: TestServer, request: unknown, key?: string) {
  return postTraces(server, JSON.stringify(request), { 'content-type': 'application/json' }, key);
}

/** Spans recorded by the real SDK, for the official serializers. */
export function recordSpans(record: (provider: TracerProvider) => void): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  record(provider);
  return exporter.getFinishedSpans();
}
