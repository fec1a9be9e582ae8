import type { EventInput } from '@tollgate/core';
import { GEN_AI, GEN_AI_EVENTS, GENERAL } from './gen-ai-attributes';
import { attributesToObject, isRecord } from './otlp-attributes';
import type { LogRecordRejection, OtlpLogRecord } from './otlp-logs-request';
import { jsonText } from './span-content';
import { spanEventId } from './span-event-id';

/** Where a GenAI content event's text belongs: the call's prompt or its completion. */
type ContentSide = 'input' | 'output' | 'both';

/** The GenAI events whose content Tollgate keeps, and the side each one fills. */
export function contentSideOf(eventName: string): ContentSide | undefined {
  switch (eventName) {
    case GEN_AI_EVENTS.systemMessage:
    case GEN_AI_EVENTS.userMessage:
    case GEN_AI_EVENTS.assistantMessage:
    case GEN_AI_EVENTS.toolMessage:
    case GEN_AI_EVENTS.contentPrompt:
      return 'input';
    case GEN_AI_EVENTS.choice:
    case GEN_AI_EVENTS.contentCompletion:
      return 'output';
    case GEN_AI_EVENTS.operationDetails:
      return 'both';
    default:
      return undefined;
  }
}

/**
 * A GenAI content event sent as an OTLP log record (what
 * `@opentelemetry/instrumentation-openai` emits) as an event of its own: a
 * `custom` event of the span's run whose parent is the span, holding one
 * message (input) or one choice (output). Messages of one call are ordered
 * by time, then arrival, then place in the request (instrumentations stamp a
 * call's messages with one millisecond). Events are immutable, so the
 * content is not written into the span's event: reads join it
 * (`linkSpanEvents`), whichever of the two arrived first. Its id is derived
 * from the record, so a resent export stores it once. Records that are not
 * GenAI content events, or belong to no span, are rejected.
 */
export function logRecordToEvent(
  record: OtlpLogRecord,
  /** When the request arrived (ms, sub-ms precise): orders messages of one instant sent apart. */
  arrivedAt: number,
): EventInput | LogRecordRejection {
  const side = contentSideOf(record.eventName);
  if (!side) {
    return {
      eventName: record.eventName,
      message: `"${record.eventName || '(no event name)'}" is not a GenAI content event: /v1/logs keeps gen_ai.* message and choice events`,
    };
  }
  if (!record.traceId || !record.spanId) {
    return {
      eventName: record.eventName,
      message:
        'the record has no trace and span id: GenAI content attaches to the span of its call',
    };
  }
  const timeMs = Number(record.timeUnixNano / 1_000_000n);
  const attributes = new Map(record.attributes);
  attributes.delete('event.name');
  const content = recordContent(record, side);
  for (const key of [
    GEN_AI.inputMessages,
    GEN_AI.outputMessages,
    GEN_AI.prompt,
    GEN_AI.completion,
  ]) {
    attributes.delete(key);
  }
  const service = record.resource.get(GENERAL.serviceName);
  return {
    event_type: 'custom',
    event_id: spanEventId(
      timeMs,
      record.traceId,
      `${record.spanId}:${record.eventName}:${record.timeUnixNano}:${record.sequence}`,
    ),
    run_id: record.traceId,
    parent_id: record.spanId,
    ts: timeMs,
    name: record.eventName,
    service: typeof service === 'string' && service !== '' ? service : undefined,
    input: content.input,
    output: content.output,
    metadata: {
      content_of_span_id: record.spanId,
      arrived_at: arrivedAt,
      sequence: record.sequence,
      ...(record.scope.name ? { scope: record.scope } : {}),
      ...(attributes.size > 0 ? { attributes: attributesToObject(attributes) } : {}),
    },
  };
}

/** The message (input side) or choice (output side) a record carries. */
function recordContent(
  record: OtlpLogRecord,
  side: ContentSide,
): { input?: unknown; output?: unknown } {
  if (side === 'both') {
    return {
      input: jsonText(record.attributes.get(GEN_AI.inputMessages)),
      output: jsonText(record.attributes.get(GEN_AI.outputMessages)),
    };
  }
  if (record.eventName === GEN_AI_EVENTS.contentPrompt) {
    return { input: jsonText(record.attributes.get(GEN_AI.prompt) ?? record.body ?? undefined) };
  }
  if (record.eventName === GEN_AI_EVENTS.contentCompletion) {
    return {
      output: jsonText(record.attributes.get(GEN_AI.completion) ?? record.body ?? undefined),
    };
  }
  const body = jsonText(record.body ?? undefined) ?? attributeBody(record);
  if (side === 'output') return { output: body ?? {} };
  const role = record.eventName.replace(/^gen_ai\./, '').replace(/\.message$/, '');
  const message = isRecord(body) ? { role, ...body } : { role, content: body ?? '' };
  return { input: message };
}

/**
 * A record without a body may carry its message in its attributes, as span
 * events do: `gen_ai.event.content` (JSON text), else the attributes beyond
 * the provider name.
 */
function attributeBody(record: OtlpLogRecord): unknown {
  const encoded = record.attributes.get('gen_ai.event.content');
  if (encoded !== undefined) return jsonText(encoded);
  const fields = [...record.attributes].filter(
    ([key]) => key !== 'event.name' && key !== GEN_AI.system && key !== GEN_AI.providerName,
  );
  return fields.length > 0 ? Object.fromEntries(fields) : undefined;
}
