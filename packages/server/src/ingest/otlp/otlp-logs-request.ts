import { z } from 'zod';
import { ApiError } from '../../http/errors';
import {
  readAnyValue,
  readAttributes,
  type Attributes,
  type AttributeValue,
} from './otlp-attributes';

/** One log record of an export request, in the form the mapping reads. */
export interface OtlpLogRecord {
  /** The event name: the record's `eventName`, else its `event.name` attribute. */
  eventName: string;
  timeUnixNano: bigint;
  /** 32 lower-case hex digits, or undefined when the record is outside a trace. */
  traceId?: string;
  spanId?: string;
  body: AttributeValue | undefined;
  attributes: Attributes;
  resource: Attributes;
  scope: { name?: string; version?: string };
  /** Its place in the request, to keep messages emitted at one instant in order. */
  sequence: number;
}

export interface LogRecordRejection {
  eventName?: string;
  message: string;
}

export interface LogsRequest {
  records: OtlpLogRecord[];
  rejected: LogRecordRejection[];
}

const keyValues = z.array(z.unknown()).nullish();
const unixNanos = z.union([
  z.string().regex(/^\d{1,20}$/, 'must be an integer'),
  z.number().min(0),
]);
const hexId = (digits: number) =>
  z
    .string()
    .regex(new RegExp(`^([0-9a-fA-F]{${digits}})?$`), `must be ${digits} hex digits`)
    .nullish();

const requestSchema = z.object({
  resourceLogs: z
    .array(
      z.object({
        resource: z.object({ attributes: keyValues }).nullish(),
        scopeLogs: z
          .array(
            z.object({
              scope: z
                .object({ name: z.string().nullish(), version: z.string().nullish() })
                .nullish(),
              logRecords: z.array(z.unknown()).nullish(),
            }),
          )
          .nullish(),
      }),
    )
    .nullish(),
});

const recordSchema = z.object({
  timeUnixNano: unixNanos.nullish(),
  observedTimeUnixNano: unixNanos.nullish(),
  eventName: z.string().nullish(),
  body: z.unknown(),
  attributes: keyValues,
  traceId: hexId(32),
  spanId: hexId(16),
});

/** Event times are bounded by the event model (year 9999). */
const MAX_NANOS = 253_402_300_799_999n * 1_000_000n;

/**
 * Reads an ExportLogsServiceRequest in its OTLP/JSON form. Throws
 * `invalid_request` when the envelope is malformed; a record that cannot be
 * read is listed as rejected instead.
 */
export function readLogsRequest(document: unknown): LogsRequest {
  const envelope = requestSchema.safeParse(document);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    throw new ApiError(
      'invalid_request',
      `not an OTLP ExportLogsServiceRequest: ${issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'invalid'}`,
      { field: 'body' },
    );
  }
  const records: OtlpLogRecord[] = [];
  const rejected: LogRecordRejection[] = [];
  for (const resourceLogs of envelope.data.resourceLogs ?? []) {
    const resource = readAttributes(resourceLogs.resource?.attributes);
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      const scope = {
        name: scopeLogs.scope?.name ?? undefined,
        version: scopeLogs.scope?.version ?? undefined,
      };
      for (const item of scopeLogs.logRecords ?? []) {
        const record = readRecord(item, resource, scope, records.length + rejected.length);
        if ('message' in record) rejected.push(record);
        else records.push(record);
      }
    }
  }
  return { records, rejected };
}

function readRecord(
  item: unknown,
  resource: Attributes,
  scope: OtlpLogRecord['scope'],
  sequence: number,
): OtlpLogRecord | LogRecordRejection {
  const parsed = recordSchema.safeParse(item);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      message: issue ? `${issue.path.join('.') || '(record)'}: ${issue.message}` : 'invalid',
    };
  }
  const record = parsed.data;
  const attributes = readAttributes(record.attributes);
  const nameAttribute = attributes.get('event.name');
  const eventName = record.eventName || (typeof nameAttribute === 'string' ? nameAttribute : '');
  const time = toNanos(record.timeUnixNano) || toNanos(record.observedTimeUnixNano);
  if (time === 0n) return { eventName, message: 'timeUnixNano: is required' };
  if (time > MAX_NANOS) return { eventName, message: 'timeUnixNano: is after the year 9999' };
  const traceId = record.traceId?.toLowerCase();
  const spanId = record.spanId?.toLowerCase();
  return {
    eventName,
    timeUnixNano: time,
    traceId: traceId && !/^0+$/.test(traceId) ? traceId : undefined,
    spanId: spanId && !/^0+$/.test(spanId) ? spanId : undefined,
    body: readAnyValue(record.body),
    attributes,
    resource,
    scope,
    sequence,
  };
}

function toNanos(value: string | number | null | undefined): bigint {
  if (value === null || value === undefined) return 0n;
  return typeof value === 'string' ? BigInt(value) : BigInt(Math.trunc(value));
}
