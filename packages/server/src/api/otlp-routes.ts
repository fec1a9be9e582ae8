import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { ApiError, isApiError } from '../http/errors';
import {
  decodeTraceRequestBody,
  decompressBody,
  otlpEncodingOf,
  type OtlpEncoding,
} from '../ingest/otlp/otlp-body';
import {
  encodeRpcStatusProtobuf,
  encodeTraceResponseProtobuf,
  RPC_INVALID_ARGUMENT,
  type TraceExportResult,
} from '../ingest/otlp/otlp-protobuf';
import { readTraceRequest, type SpanRejection } from '../ingest/otlp/otlp-trace-request';
import { spansToEvents } from '../ingest/otlp/span-to-event';
import { parseEventBatch } from '../ingest/parse-event-batch';

const PROTOBUF_TYPE = 'application/x-protobuf';
/** Rejections named in a partial-success message; the count covers them all. */
const REJECTIONS_NAMED = 5;

/**
 * OTLP/HTTP trace ingestion, `POST /v1/traces`: OpenTelemetry spans (JSON or
 * protobuf, optionally gzipped) become events through the same validation and
 * writer as `/api/v1/events`. Answers like a collector: 200 with an
 * ExportTraceServiceResponse in the request's encoding, carrying a partial
 * success when some spans were rejected.
 */
export async function otlpRoutes(app: FastifyInstance): Promise<void> {
  const { maxBytes, maxEvents } = app.configuration.ingest;

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

  app.post(
    '/v1/traces',
    // The key is checked before the body is read, let alone decompressed.
    { onRequest: app.requireScope('ingest'), bodyLimit: maxBytes },
    async (request, reply) => {
      const caller = request.caller!;
      if (!caller.projectId) {
        throw new ApiError(
          'forbidden',
          'OTLP ingestion needs a project key: spans belong to a project',
        );
      }
      const encoding = otlpEncodingOf(request.headers['content-type']);
      if (!encoding) {
        throw new ApiError(
          'unsupported_media_type',
          'send OTLP traces as application/json or application/x-protobuf',
          { field: 'content-type' },
        );
      }
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const body = await decompressBody(raw, request.headers['content-encoding'], maxBytes);
      const traces = readTraceRequest(decodeTraceRequestBody(body, encoding));
      const spanCount = traces.spans.length + traces.rejected.length;
      if (spanCount > maxEvents) {
        throw new ApiError('payload_too_large', `an export may hold at most ${maxEvents} spans`, {
          field: 'body',
          count: spanCount,
        });
      }
      const batch = parseEventBatch(spansToEvents(traces.spans), {
        orgId: caller.orgId,
        projectId: caller.projectId,
        retentionDays: caller.retentionDays,
        piiRedaction: caller.piiRedaction,
      });
      if (batch.accepted > 0) await app.eventWriter.write(batch.rows, batch.accepted);
      app.metrics.ingested(batch.accepted, spanCount - batch.accepted);

      const rejections = [...traces.rejected];
      const reported = new Set<number>();
      for (const error of batch.errors) {
        if (reported.has(error.index)) continue;
        reported.add(error.index);
        const span = traces.spans[error.index];
        rejections.push({
          spanId: span?.spanId,
          name: span?.name,
          message: `${error.field}: ${error.message}`,
        });
      }
      return sendExportResult(reply, encoding, {
        rejectedSpans: spanCount - batch.accepted,
        errorMessage: rejectionMessage(rejections, spanCount),
      });
    },
  );
}

function rejectionMessage(rejections: readonly SpanRejection[], spanCount: number): string {
  if (rejections.length === 0) return '';
  const named = rejections.slice(0, REJECTIONS_NAMED).map((rejection) => {
    const which = rejection.spanId ? `span ${rejection.spanId}` : 'a span';
    return `${which}${rejection.name ? ` ("${rejection.name}")` : ''}: ${rejection.message}`;
  });
  const more = rejections.length - named.length;
  return `${rejections.length} of ${spanCount} spans rejected: ${named.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

function sendExportResult(
  reply: FastifyReply,
  encoding: OtlpEncoding,
  result: TraceExportResult,
): FastifyReply {
  if (encoding === 'protobuf') {
    return reply.type(PROTOBUF_TYPE).send(Buffer.from(encodeTraceResponseProtobuf(result)));
  }
  // OTLP/JSON writes 64-bit integers as decimal strings.
  return reply.type('application/json').send(
    result.rejectedSpans > 0
      ? {
          partialSuccess: {
            rejectedSpans: String(result.rejectedSpans),
            errorMessage: result.errorMessage,
          },
        }
      : {},
  );
}
