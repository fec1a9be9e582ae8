import protobuf from 'protobufjs/light.js';

/**
 * The OTLP trace messages Tollgate reads and writes, as a protobufjs
 * descriptor. Field numbers and types are those of the OTLP protocol
 * (opentelemetry-proto: collector/trace/v1, trace/v1, resource/v1, common/v1,
 * and google.rpc.Status for error bodies). Names are the lowerCamelCase of
 * OTLP/JSON, so a decoded message converts straight to the JSON form. Fields
 * Tollgate does not use (links, flags, dropped counts, schema URLs) are left
 * out: protobuf skips unknown fields. Message names are not on the wire, so one
 * flat namespace is enough.
 */
const OTLP_TRACE_DESCRIPTOR = {
  nested: {
    otlp: {
      nested: {
        AnyValue: {
          oneofs: {
            value: {
              oneof: [
                'stringValue',
                'boolValue',
                'intValue',
                'doubleValue',
                'arrayValue',
                'kvlistValue',
                'bytesValue',
              ],
            },
          },
          fields: {
            stringValue: { type: 'string', id: 1 },
            boolValue: { type: 'bool', id: 2 },
            intValue: { type: 'int64', id: 3 },
            doubleValue: { type: 'double', id: 4 },
            arrayValue: { type: 'ArrayValue', id: 5 },
            kvlistValue: { type: 'KeyValueList', id: 6 },
            bytesValue: { type: 'bytes', id: 7 },
          },
        },
        ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
        KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
        KeyValue: {
          fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } },
        },
        InstrumentationScope: {
          fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 } },
        },
        Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
        ExportTraceServiceRequest: {
          fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } },
        },
        ResourceSpans: {
          fields: {
            resource: { type: 'Resource', id: 1 },
            scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 },
          },
        },
        ScopeSpans: {
          fields: {
            scope: { type: 'InstrumentationScope', id: 1 },
            spans: { rule: 'repeated', type: 'Span', id: 2 },
          },
        },
        Span: {
          fields: {
            traceId: { type: 'bytes', id: 1 },
            spanId: { type: 'bytes', id: 2 },
            parentSpanId: { type: 'bytes', id: 4 },
            name: { type: 'string', id: 5 },
            // The SpanKind enum; proto3 enums are open, so int32 reads every value.
            kind: { type: 'int32', id: 6 },
            startTimeUnixNano: { type: 'fixed64', id: 7 },
            endTimeUnixNano: { type: 'fixed64', id: 8 },
            attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
            events: { rule: 'repeated', type: 'SpanEvent', id: 11 },
            status: { type: 'Status', id: 15 },
          },
        },
        SpanEvent: {
          fields: {
            timeUnixNano: { type: 'fixed64', id: 1 },
            name: { type: 'string', id: 2 },
            attributes: { rule: 'repeated', type: 'KeyValue', id: 3 },
          },
        },
        Status: {
          fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } },
        },
        ExportTraceServiceResponse: {
          fields: { partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } },
        },
        ExportTracePartialSuccess: {
          fields: {
            rejectedSpans: { type: 'int64', id: 1 },
            errorMessage: { type: 'string', id: 2 },
          },
        },
        RpcStatus: {
          fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } },
        },
        // Logs (collector/logs/v1, logs/v1): GenAI content events arrive as log records.
        ExportLogsServiceRequest: {
          fields: { resourceLogs: { rule: 'repeated', type: 'ResourceLogs', id: 1 } },
        },
        ResourceLogs: {
          fields: {
            resource: { type: 'Resource', id: 1 },
            scopeLogs: { rule: 'repeated', type: 'ScopeLogs', id: 2 },
          },
        },
        ScopeLogs: {
          fields: {
            scope: { type: 'InstrumentationScope', id: 1 },
            logRecords: { rule: 'repeated', type: 'LogRecord', id: 2 },
          },
        },
        LogRecord: {
          fields: {
            timeUnixNano: { type: 'fixed64', id: 1 },
            severityNumber: { type: 'int32', id: 2 },
            severityText: { type: 'string', id: 3 },
            body: { type: 'AnyValue', id: 5 },
            attributes: { rule: 'repeated', type: 'KeyValue', id: 6 },
            traceId: { type: 'bytes', id: 9 },
            spanId: { type: 'bytes', id: 10 },
            observedTimeUnixNano: { type: 'fixed64', id: 11 },
            eventName: { type: 'string', id: 12 },
          },
        },
        ExportLogsServiceResponse: {
          fields: { partialSuccess: { type: 'ExportLogsPartialSuccess', id: 1 } },
        },
        ExportLogsPartialSuccess: {
          fields: {
            rejectedLogRecords: { type: 'int64', id: 1 },
            errorMessage: { type: 'string', id: 2 },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(OTLP_TRACE_DESCRIPTOR);
const requestType = root.lookupType('otlp.ExportTraceServiceRequest');
const responseType = root.lookupType('otlp.ExportTraceServiceResponse');
const statusType = root.lookupType('otlp.RpcStatus');
const logsRequestType = root.lookupType('otlp.ExportLogsServiceRequest');
const logsResponseType = root.lookupType('otlp.ExportLogsServiceResponse');

/** google.rpc.Code INVALID_ARGUMENT: the code OTLP error bodies carry for a bad request. */
export const RPC_INVALID_ARGUMENT = 3;

/**
 * Decodes a protobuf ExportTraceServiceRequest into its OTLP/JSON form: 64-bit
 * integers as decimal strings, trace and span ids as lower-case hex, other
 * bytes as base64. Throws on bytes that are not such a message.
 */
export function decodeTraceRequestProtobuf(body: Uint8Array): unknown {
  const message = requestType.decode(body);
  const request = requestType.toObject(message, { longs: String, bytes: String });
  for (const resourceSpans of arrayOf(request.resourceSpans)) {
    for (const scopeSpans of arrayOf(resourceSpans.scopeSpans)) {
      for (const span of arrayOf(scopeSpans.spans)) {
        for (const key of ['traceId', 'spanId', 'parentSpanId']) {
          if (typeof span[key] === 'string') {
            span[key] = Buffer.from(span[key] as string, 'base64').toString('hex');
          }
        }
      }
    }
  }
  return request;
}

/** Decodes a protobuf ExportLogsServiceRequest into its OTLP/JSON form, ids as hex. */
export function decodeLogsRequestProtobuf(body: Uint8Array): unknown {
  const message = logsRequestType.decode(body);
  const request = logsRequestType.toObject(message, { longs: String, bytes: String });
  for (const resourceLogs of arrayOf(request.resourceLogs)) {
    for (const scopeLogs of arrayOf(resourceLogs.scopeLogs)) {
      for (const record of arrayOf(scopeLogs.logRecords)) {
        for (const key of ['traceId', 'spanId']) {
          if (typeof record[key] === 'string') {
            record[key] = Buffer.from(record[key] as string, 'base64').toString('hex');
          }
        }
      }
    }
  }
  return request;
}

/** An ExportLogsServiceResponse; partial success only when a record was rejected. */
export function encodeLogsResponseProtobuf(result: TraceExportResult): Uint8Array {
  const partialSuccess =
    result.rejectedSpans > 0
      ? { rejectedLogRecords: result.rejectedSpans, errorMessage: result.errorMessage }
      : undefined;
  return logsResponseType.encode(logsResponseType.fromObject({ partialSuccess })).finish();
}

export interface TraceExportResult {
  /** Spans, or log records for a logs export, that were not stored. */
  rejectedSpans: number;
  errorMessage: string;
}

/** An ExportTraceServiceResponse; partial success only when a span was rejected. */
export function encodeTraceResponseProtobuf(result: TraceExportResult): Uint8Array {
  const partialSuccess =
    result.rejectedSpans > 0
      ? { rejectedSpans: result.rejectedSpans, errorMessage: result.errorMessage }
      : undefined;
  return responseType.encode(responseType.fromObject({ partialSuccess })).finish();
}

/** The google.rpc.Status body of an OTLP/HTTP error answered to a protobuf client. */
export function encodeRpcStatusProtobuf(code: number, message: string): Uint8Array {
  return statusType.encode(statusType.fromObject({ code, message })).finish();
}

function arrayOf(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? (value as Array<Record<string, unknown>>) : [];
}
