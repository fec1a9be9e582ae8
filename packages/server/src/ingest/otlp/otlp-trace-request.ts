import { z } from 'zod';
import { ApiError } from '../../http/errors';
import { readAttributes, type Attributes } from './otlp-attributes';

export type SpanKindName =
  'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type SpanStatusCode = 'unset' | 'ok' | 'error';

export interface OtlpSpanEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Attributes;
}

/** One span of an export request, with its resource and scope, in the form the mapping reads. */
export interface OtlpSpan {
  /** 32 lower-case hex digits. */
  traceId: string;
  /** 16 lower-case hex digits. */
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: SpanKindName;
  startTimeUnixNano: bigint;
  /** Absent when the sender left it unset. */
  endTimeUnixNano?: bigint;
  attributes: Attributes;
  events: OtlpSpanEvent[];
  status: { code: SpanStatusCode; message: string };
  resource: Attributes;
  scope: { name?: string; version?: string };
}

export interface SpanRejection {
  spanId?: string;
  name?: string;
  message: string;
}

export interface TraceRequest {
  spans: OtlpSpan[];
  /** Spans that could not be read (bad ids or times); they count as rejected. */
  rejected: SpanRejection[];
}

const keyValues = z.array(z.unknown()).nullish();

/** The request's envelope: a malformed one makes the whole request undecodable (400). */
const requestSchema = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource: z.object({ attributes: keyValues }).nullish(),
        scopeSpans: z
          .array(
            z.object({
              scope: z
                .object({ name: z.string().nullish(), version: z.string().nullish() })
                .nullish(),
              spans: z.array(z.unknown()).nullish(),
            }),
          )
          .nullish(),
      }),
    )
    .nullish(),
});

/** Nanoseconds since the epoch: a decimal string (int64 in OTLP/JSON) or a number. */
const unixNanos = z.union([
  z.string().regex(/^\d{1,20}$/, 'must be an integer'),
  z.number().min(0),
]);
const enumValue = z.union([z.number().int(), z.string()]).nullish();
const nonZero = (id: string) => !/^0+$/.test(id);

/** One span: a malformed one is rejected on its own (partial success). */
const spanSchema = z.object({
  traceId: z
    .string()
    .regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hex digits')
    .refine(nonZero, 'must not be all zeros'),
  spanId: z
    .string()
    .regex(/^[0-9a-fA-F]{16}$/, 'must be 16 hex digits')
    .refine(nonZero, 'must not be all zeros'),
  parentSpanId: z
    .string()
    .regex(/^([0-9a-fA-F]{16})?$/, 'must be 16 hex digits')
    .nullish(),
  name: z.string().nullish(),
  kind: enumValue,
  startTimeUnixNano: unixNanos.nullish(),
  endTimeUnixNano: unixNanos.nullish(),
  attributes: keyValues,
  events: z
    .array(
      z.object({
        timeUnixNano: unixNanos.nullish(),
        name: z.string().nullish(),
        attributes: keyValues,
      }),
    )
    .nullish(),
  status: z.object({ code: enumValue, message: z.string().nullish() }).nullish(),
});

/** Event times are bounded by the event model (year 9999). */
const MAX_START_NANOS = 253_402_300_799_999n * 1_000_000n;

const SPAN_KINDS: readonly SpanKindName[] = [
  'unspecified',
  'internal',
  'server',
  'client',
  'producer',
  'consumer',
];
const STATUS_CODES: readonly SpanStatusCode[] = ['unset', 'ok', 'error'];

/**
 * Reads an ExportTraceServiceRequest in its OTLP/JSON form (what both
 * encodings decode to) into spans. Throws `invalid_request` when the envelope
 * is malformed; a span that cannot be read is listed as rejected instead.
 */
export function readTraceRequest(document: unknown): TraceRequest {
  const envelope = requestSchema.safeParse(document);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    throw new ApiError(
      'invalid_request',
      `not an OTLP ExportTraceServiceRequest: ${issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'invalid'}`,
      { field: 'body' },
    );
  }
  const spans: OtlpSpan[] = [];
  const rejected: SpanRejection[] = [];
  for (const resourceSpans of envelope.data.resourceSpans ?? []) {
    const resource = readAttributes(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      const scope = {
        name: scopeSpans.scope?.name ?? undefined,
        version: scopeSpans.scope?.version ?? undefined,
      };
      for (const item of scopeSpans.spans ?? []) {
        const span = readSpan(item, resource, scope);
        if ('message' in span) rejected.push(span);
        else spans.push(span);
      }
    }
  }
  return { spans, rejected };
}

function readSpan(
  item: unknown,
  resource: Attributes,
  scope: OtlpSpan['scope'],
): OtlpSpan | SpanRejection {
  const parsed = spanSchema.safeParse(item);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const raw = item as { spanId?: unknown; name?: unknown } | null;
    return {
      spanId: typeof raw?.spanId === 'string' ? raw.spanId : undefined,
      name: typeof raw?.name === 'string' ? raw.name : undefined,
      message: issue ? `${issue.path.join('.') || '(span)'}: ${issue.message}` : 'invalid span',
    };
  }
  const span = parsed.data;
  const spanId = span.spanId.toLowerCase();
  const name = span.name ?? '';
  const start = toNanos(span.startTimeUnixNano);
  if (start === 0n) return { spanId, name, message: 'startTimeUnixNano: is required' };
  if (start > MAX_START_NANOS) {
    return { spanId, name, message: 'startTimeUnixNano: is after the year 9999' };
  }
  const end = toNanos(span.endTimeUnixNano);
  const parentSpanId = span.parentSpanId?.toLowerCase();
  return {
    traceId: span.traceId.toLowerCase(),
    spanId,
    parentSpanId: parentSpanId && nonZero(parentSpanId) ? parentSpanId : undefined,
    name,
    kind: enumName(span.kind, SPAN_KINDS, 'SPAN_KIND_') ?? 'unspecified',
    startTimeUnixNano: start,
    endTimeUnixNano: end === 0n ? undefined : end,
    attributes: readAttributes(span.attributes),
    events: (span.events ?? []).map((event) => ({
      name: event.name ?? '',
      timeUnixNano: toNanos(event.timeUnixNano),
      attributes: readAttributes(event.attributes),
    })),
    status: {
      code: enumName(span.status?.code, STATUS_CODES, 'STATUS_CODE_') ?? 'unset',
      message: span.status?.message ?? '',
    },
    resource,
    scope,
  };
}

function toNanos(value: string | number | null | undefined): bigint {
  if (value === null || value === undefined) return 0n;
  return typeof value === 'string' ? BigInt(value) : BigInt(Math.trunc(value));
}

/** An OTLP enum given as its number (the OTLP/JSON rule) or, leniently, as its name. */
function enumName<T extends string>(
  value: number | string | null | undefined,
  names: readonly T[],
  prefix: string,
): T | undefined {
  if (typeof value === 'number') return names[value];
  if (typeof value !== 'string') return undefined;
  const name = value.startsWith(prefix) ? value.slice(prefix.length).toLowerCase() : '';
  return names.find((candidate) => candidate === name);
}
