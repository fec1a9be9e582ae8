import type { EventInput } from '@tollgate/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, isApiError } from '../http/errors';
import {
  decodeTraceRequestBody,
  decompressBody,
  otlpEncodingOf,
  type OtlpEncoding,
  type OtlpSignal,
} from '../ingest/otlp/otlp-body';
import { logRecordToEvent } from '../ingest/otlp/log-record-to-event';
import { readLogsRequest } from '../ingest/otlp/otlp-logs-request';
import {
  encodeLogsResponseProtobuf,
  encodeRpcStatusProtobuf,
  encodeTraceResponseProtobuf,
  RPC_INVALID_ARGUMENT,
  type TraceExportResult,
} from '../ingest/otlp/otlp-protobuf';
import {
  readTraceRequest,
  type OtlpSpan,
  type SpanRejection,
} from '../ingest/otlp/otlp-trace-request';
import { spansToEvents } from '../ingest/otlp/span-to-event';
import { parseEventBatch } from '../ingest/parse-event-batch';

const PROTOBUF_TYPE = 'application/x-protobuf';
/** Rejections named in a partial-success message; the count covers them all. */
const REJECTIONS_NAMED = 5;

/** Where Langfuse's SDKs (v3 and later) send their OTLP spans, under `LANGFUSE_BASE_URL`. */
export const LANGFUSE_TRACES_PATH = '/api/public/otel/v1/traces';

/**
 * OTLP/HTTP ingestion. `POST /v1/traces` (and the same at Langfuse's path,
 * so Langfuse's SDKs can point at Tollgate): OpenTelemetry spans (JSON or
 * protobuf, optionally gzipped) become events through the same validation and
 * writer as `/api/v1/events`. `POST /v1/logs`: GenAI content events become
 * content events of their span. Answers like a collector: 200 with an
 * Export*ServiceResponse in the request's encoding, carrying a partial
 * success when some spans or records were rejected.
 */
export async function otlpRoutes(app: FastifyInstance): Promise<void> {
  const { maxBytes, maxEvents, maxFutureSkewMs } = app.configuration.ingest;

  // Encapsulated: these parsers apply to this plugin's route only. The body is read raw
  // and decoded by the handler, which knows the content encoding.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: maxBytes },
    (_request, body, done) => done(null, body),
  );

  // A protobuf client gets its 4xx as a protobuf google.rpc.Status, as OTLP/HTTP asks.
  // Key errors (401, 403) and everything else leave as Tollgate's JSON errors.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = isApiError(error) ? error.status : (error.statusCode ?? 500);
    const isProtobuf = otlpEncodingOf(request.headers['content-type']) === 'protobuf';
    if (!isProtobuf || status < 400 || status >= 500 || status === 401 || status === 403) {
      throw error;
    }
    return reply
      .status(status)
      .type(PROTOBUF_TYPE)
      .send(Buffer.from(encodeRpcStatusProtobuf(RPC_INVALID_ARGUMENT, error.message)));
  });

  const ingest = (signal: OtlpSignal) => ({
    // The key is checked before the body is read, let alone decompressed.
    onRequest: app.requireScope('ingest'),
    bodyLimit: maxBytes,
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const caller = request.caller!;
      if (!caller.projectId) {
        throw new ApiError(
          'forbidden',
          `OTLP ingestion needs a project key: ${signal === 'traces' ? 'spans' : 'log records'} belong to a project`,
        );
      }
      const encoding = otlpEncodingOf(request.headers['content-type']);
      if (!encoding) {
        throw new ApiError(
          'unsupported_media_type',
          `send OTLP ${signal} as application/json or application/x-protobuf`,
          { field: 'content-type' },
        );
      }
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const body = await decompressBody(raw, request.headers['content-encoding'], maxBytes);
      const document = decodeTraceRequestBody(body, encoding, signal);
      const arrivedAt = Number((performance.timeOrigin + performance.now()).toFixed(3));
      const decoded =
        signal === 'traces' ? tracesToEvents(document) : logsToEvents(document, arrivedAt);
      const itemCount = decoded.events.length + decoded.rejected.length;
      if (itemCount > maxEvents) {
        throw new ApiError(
          'payload_too_large',
          `an export may hold at most ${maxEvents} ${signal === 'traces' ? 'spans' : 'log records'}`,
          { field: 'body', count: itemCount },
        );
      }
      const events = decoded.events;
      // The app's span of a call the gateway proxied (and counts) is kept, linked, not counted.
      if (decoded.spans) await app.gateway.twins.linkOtlpTwins(caller.orgId, decoded.spans, events);
      const batch = parseEventBatch(
        events,
        {
          orgId: caller.orgId,
          projectId: caller.projectId,
          retentionDays: caller.retentionDays,
          priceOverrides: caller.priceOverrides,
          contentStorage: caller.contentStorage,
          piiRedaction: caller.piiRedaction,
          contentKey: caller.contentKey,
        },
        { maxFutureSkewMs, repairText: true },
      );
      if (batch.accepted > 0) await app.eventWriter.write(batch.rows, batch.accepted);
      app.metrics.ingested(batch.accepted, itemCount - batch.accepted);

      const rejections = [...decoded.rejected];
      const reported = new Set<number>();
      for (const error of batch.errors) {
        if (reported.has(error.index)) continue;
        reported.add(error.index);
        rejections.push({
          ...decoded.labels[error.index],
          message: `${error.field}: ${error.message}`,
        });
      }
      return sendExportResult(reply, encoding, signal, {
        rejectedSpans: itemCount - batch.accepted,
        errorMessage: rejectionMessage(rejections, itemCount, signal),
      });
    },
  });

  app.post('/v1/traces', ingest('traces'));
  app.post(LANGFUSE_TRACES_PATH, ingest('traces'));
  app.post('/v1/logs', ingest('logs'));

  // What Langfuse's SDKs ask besides the spans: `auth_check()` lists the key's project.
  app.get(
    '/api/public/projects',
    { onRequest: app.requireScope('ingest') },
    async (request: FastifyRequest) => {
      const projectId = request.caller!.projectId;
      const project = projectId ? await app.stores.meta.getProject(projectId) : undefined;
      return { data: project ? [{ id: project.id, name: project.name, metadata: {} }] : [] };
    },
  );
}

interface DecodedExport {
  events: EventInput[];
  /** How each event's item is named in a rejection, index for index. */
  labels: Array<Omit<SpanRejection, 'message'>>;
  rejected: SpanRejection[];
  /** The spans of a trace export, index for index (the gateway links the calls it proxied). */
  spans?: OtlpSpan[];
}

function tracesToEvents(document: unknown): DecodedExport {
  const traces = readTraceRequest(document);
  return {
    events: spansToEvents(traces.spans),
    labels: traces.spans.map((span) => ({ spanId: span.spanId, name: span.name })),
    rejected: traces.rejected,
    spans: traces.spans,
  };
}

/** Log records become content events; any other record is rejected with its reason. */
function logsToEvents(document: unknown, arrivedAt: number): DecodedExport {
  const logs = readLogsRequest(document);
  const decoded: DecodedExport = {
    events: [],
    labels: [],
    rejected: logs.rejected.map((rejection) => ({
      name: rejection.eventName,
      message: rejection.message,
    })),
  };
  for (const record of logs.records) {
    const event = logRecordToEvent(record, arrivedAt);
    if ('message' in event) {
      decoded.rejected.push({
        spanId: record.spanId,
        name: event.eventName,
        message: event.message,
      });
      continue;
    }
    decoded.events.push(event);
    decoded.labels.push({ spanId: record.spanId, name: record.eventName });
  }
  return decoded;
}

/** An event with its prompt and completion left out. */
function rejectionMessage(
  rejections: readonly SpanRejection[],
  itemCount: number,
  signal: OtlpSignal,
): string {
  if (rejections.length === 0) return '';
  const item = signal === 'traces' ? 'span' : 'log record';
  const named = rejections.slice(0, REJECTIONS_NAMED).map((rejection) => {
    const which =
      signal === 'traces'
        ? rejection.spanId
          ? `span ${rejection.spanId}`
          : 'a span'
        : rejection.spanId
          ? `a log record of span ${rejection.spanId}`
          : 'a log record';
    return `${which}${rejection.name ? ` ("${rejection.name}")` : ''}: ${rejection.message}`;
  });
  const more = rejections.length - named.length;
  return `${rejections.length} of ${itemCount} ${item}s rejected: ${named.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

function sendExportResult(
  reply: FastifyReply,
  encoding: OtlpEncoding,
  signal: OtlpSignal,
  result: TraceExportResult,
): FastifyReply {
  if (encoding === 'protobuf') {
    const encoded =
      signal === 'traces'
        ? encodeTraceResponseProtobuf(result)
        : encodeLogsResponseProtobuf(result);
    return reply.type(PROTOBUF_TYPE).send(Buffer.from(encoded));
  }
  // OTLP/JSON writes 64-bit integers as decimal strings.
  return reply.type('application/json').send(
    result.rejectedSpans > 0
      ? {
          partialSuccess: {
            [signal === 'traces' ? 'rejectedSpans' : 'rejectedLogRecords']: String(
              result.rejectedSpans,
            ),
            errorMessage: result.errorMessage,
          },
        }
      : {},
  );
}
