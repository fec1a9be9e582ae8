import type { EventInput } from '@tollgate/core';
import { AttributeReader } from './attribute-reader';
import { agentStepNumbers, classifySpan, wrappingModelCalls } from './classify-span';
import { readDialectContent } from './dialect-content';
import {
  GEN_AI,
  GENERAL,
  LANGFUSE,
  OPENINFERENCE,
  TRACELOOP,
  VERCEL_AI,
} from './gen-ai-attributes';
import { mapGenAiOperation, type SpanOperation } from './map-gen-ai-operation';
import { mapProviderName } from './map-provider-name';
import { mapSpanStatus } from './map-span-status';
import { attributesToObject } from './otlp-attributes';
import type { OtlpSpan, OtlpSpanEvent } from './otlp-trace-request';
import { completionText, jsonText, readPromptContent, type SpanContent } from './span-content';
import { spanEventId } from './span-event-id';
import { usageEventFields } from './usage-event-fields';
import { readSpanUsage } from './span-usage';

/** How a span sits in its export: its step number, its parent's event id, the call it wraps. */
export interface SpanPlace {
  stepNumber: number;
  /** The event id of the parent span when the parent came in the same export. */
  parentEventId?: string;
  /** Span id of the model call this span wraps; the span is then not counted as one. */
  wrapsSpanId?: string;
}

/**
 * Maps the spans of one export request to events, index for index. The
 * events are client input: they still go through `eventInputSchema`, and a
 * span whose event fails it is rejected like any bad event.
 */
export function spansToEvents(spans: readonly OtlpSpan[]): EventInput[] {
  const operations = spans.map((span) => classifySpan(span.attributes));
  const wrapping = wrappingModelCalls(spans, operations);
  for (const [index, span] of spans.entries()) {
    if (wrapping.has(span)) operations[index] = { eventType: 'custom' };
  }
  const stepNumbers = agentStepNumbers(spans, operations);
  const eventIds = new Map(
    spans.map((span) => [
      `${span.traceId}:${span.spanId}`,
      spanEventId(Number(span.startTimeUnixNano / 1_000_000n), span.traceId, span.spanId),
    ]),
  );
  return spans.map((span, index) =>
    spanToEvent(span, operations[index]!, {
      stepNumber: stepNumbers.get(span) ?? 1,
      parentEventId: span.parentSpanId
        ? eventIds.get(`${span.traceId}:${span.parentSpanId}`)
        : undefined,
      wrapsSpanId: wrapping.get(span),
    }),
  );
}

/**
 * One span as an event: the trace is the run, the parent the parent span's
 * event (its event id when it came in the same export, else its span id,
 * which reads resolve), the start the time; the span and parent span ids, and
 * the attributes, resource attributes and span events no field took, go to
 * the metadata.
 */
export function spanToEvent(
  span: OtlpSpan,
  operation: SpanOperation,
  place: SpanPlace = { stepNumber: 1 },
): EventInput {
  const attributes = new AttributeReader(span.attributes);
  const resource = new AttributeReader(span.resource);
  const usedEvents = new Set<OtlpSpanEvent>();
  const startMs = Number(span.startTimeUnixNano / 1_000_000n);
  const errorType = span.attributes.get(GENERAL.errorType);
  // Langfuse marks a failed observation by its level rather than the span status.
  const failedObservation = attributes.string(LANGFUSE.level) === 'ERROR';
  const status = mapSpanStatus(
    failedObservation ? 'error' : span.status.code,
    typeof errorType === 'string' ? errorType : undefined,
  );
  const errorMessage =
    status === 'success'
      ? undefined
      : (failureMessage(span) ?? attributes.string(LANGFUSE.statusMessage));
  const common = {
    event_id: spanEventId(startMs, span.traceId, span.spanId),
    run_id: span.traceId,
    parent_id: place.parentEventId ?? span.parentSpanId,
    ts: startMs,
    name: span.name || undefined,
    service: resource.string(GENERAL.serviceName),
    env:
      resource.string(GENERAL.environment, GENERAL.environmentOld) ??
      attributes.string(LANGFUSE.environment),
    tags: traceTags(attributes),
    user_id:
      attributes.string(
        GENERAL.userId,
        GENERAL.endUserId,
        LANGFUSE.userId,
        `${VERCEL_AI.metadata}.userId`,
        `${VERCEL_AI.metadata}.user_id`,
        TRACELOOP.associationUserId,
      ) ?? resource.string(GENERAL.userId, GENERAL.endUserId),
    session_id:
      attributes.string(
        GENERAL.sessionId,
        GEN_AI.conversationId,
        LANGFUSE.sessionId,
        `${VERCEL_AI.metadata}.sessionId`,
        `${VERCEL_AI.metadata}.session_id`,
        TRACELOOP.associationSessionId,
      ) ?? resource.string(GENERAL.sessionId),
    status,
    latency_ms:
      span.endTimeUnixNano === undefined
        ? undefined
        : Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6,
  };
  if (operation.eventType !== 'custom') attributes.value(GEN_AI.operationName);
  const wraps = place.wrapsSpanId ? { counted_in_span_id: place.wrapsSpanId } : {};
  const metadata = (extra: Record<string, unknown> = {}) =>
    spanMetadata(span, attributes, resource, usedEvents, { ...wraps, ...extra });

  switch (operation.eventType) {
    case 'prompt_call': {
      const requestedModel = attributes.string(GEN_AI.requestModel, VERCEL_AI.modelId);
      const requestType = attributes.string(TRACELOOP.requestType);
      const content = modelCallContent(attributes, span.events, usedEvents);
      const provider = mapProviderName(
        attributes.string(
          GEN_AI.providerName,
          GEN_AI.system,
          OPENINFERENCE.provider,
          OPENINFERENCE.system,
          VERCEL_AI.modelProvider,
        ),
      );
      const usage = usageEventFields(readSpanUsage(attributes, provider));
      return {
        ...common,
        event_type: 'prompt_call',
        operation: operation.operation ?? mapGenAiOperation(requestType)?.operation,
        provider,
        model:
          attributes.string(
            GEN_AI.responseModel,
            VERCEL_AI.responseModel,
            OPENINFERENCE.modelName,
            OPENINFERENCE.embeddingModelName,
            LANGFUSE.modelName,
          ) ?? requestedModel,
        model_requested: requestedModel,
        ...usage.fields,
        input: content.input,
        output: content.output,
        ttft_ms: timeToFirstToken(attributes, startMs),
        prompt_name: attributes.string(LANGFUSE.promptName),
        prompt_version: attributes.count(LANGFUSE.promptVersion),
        error_message: errorMessage,
        metadata: metadata(usage.metadata),
      };
    }
    case 'tool_call':
      return {
        ...common,
        event_type: 'tool_call',
        tool_name:
          attributes.string(
            GEN_AI.toolName,
            VERCEL_AI.toolCallName,
            OPENINFERENCE.toolName,
            TRACELOOP.entityName,
          ) ?? toolNameOf(span.name),
        input: jsonText(
          attributes.value(
            GEN_AI.toolCallArguments,
            VERCEL_AI.toolCallArgs,
            VERCEL_AI.toolCallInput,
            TRACELOOP.entityInput,
            LANGFUSE.input,
            OPENINFERENCE.inputValue,
          ),
        ),
        output: jsonText(
          attributes.value(
            GEN_AI.toolCallResult,
            VERCEL_AI.toolCallResult,
            VERCEL_AI.toolCallOutput,
            TRACELOOP.entityOutput,
            LANGFUSE.output,
            OPENINFERENCE.outputValue,
          ),
        ),
        error_message: errorMessage,
        metadata: metadata(),
      };
    case 'agent_step': {
      const content = modelCallContent(attributes, span.events, usedEvents);
      return {
        ...common,
        event_type: 'agent_step',
        step_number: place.stepNumber,
        step_name: attributes.string(GEN_AI.agentName, OPENINFERENCE.agentName) ?? span.name,
        step_type: stringOf(span.attributes.get(GEN_AI.operationName)) ?? 'agent',
        input: jsonText(attributes.value(TRACELOOP.entityInput)) ?? content.input,
        output: jsonText(attributes.value(TRACELOOP.entityOutput)) ?? content.output,
        error_message: errorMessage,
        metadata: metadata(),
      };
    }
    case 'custom': {
      const content = place.wrapsSpanId
        ? modelCallContent(attributes, span.events, usedEvents)
        : readDialectContent(attributes);
      return {
        ...common,
        event_type: 'custom',
        input: jsonText(attributes.value(TRACELOOP.entityInput)) ?? content.input,
        output: jsonText(attributes.value(TRACELOOP.entityOutput)) ?? content.output,
        // A custom event has no error message field.
        metadata: metadata(errorMessage ? { status_message: errorMessage } : {}),
      };
    }
    default: {
      const unknown: never = operation.eventType;
      throw new Error(`unmapped span event type ${String(unknown)}`);
    }
  }
}

/** The GenAI conventions' content first, then the other dialects'. */
function modelCallContent(
  attributes: AttributeReader,
  events: readonly OtlpSpanEvent[],
  usedEvents: Set<OtlpSpanEvent>,
): SpanContent {
  const content = readPromptContent(attributes, events, usedEvents);
  if (content.input !== undefined && content.output !== undefined) return content;
  const dialect = readDialectContent(attributes);
  const output = dialect.output === undefined ? undefined : completionText(dialect.output);
  return { input: content.input ?? dialect.input, output: content.output ?? output };
}

function spanMetadata(
  span: OtlpSpan,
  attributes: AttributeReader,
  resource: AttributeReader,
  usedEvents: ReadonlySet<OtlpSpanEvent>,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const metadata: Record<string, unknown> = { span_id: span.spanId };
  if (span.parentSpanId) metadata.parent_span_id = span.parentSpanId;
  metadata.span_kind = span.kind;
  if (span.scope.name) metadata.scope = { name: span.scope.name, version: span.scope.version };
  const rest = attributes.remaining();
  if (rest.size > 0) metadata.attributes = attributesToObject(rest);
  const resourceRest = resource.remaining();
  if (resourceRest.size > 0) metadata.resource = attributesToObject(resourceRest);
  const events = span.events.filter((event) => !usedEvents.has(event));
  if (events.length > 0) {
    metadata.events = events.map((event) => ({
      name: event.name,
      time: new Date(Number(event.timeUnixNano / 1_000_000n)).toISOString(),
      attributes: attributesToObject(event.attributes),
    }));
  }
  return { ...metadata, ...extra };
}

/** From Langfuse's completion start time (a JSON-quoted ISO time) and the span's start. */
function timeToFirstToken(attributes: AttributeReader, startMs: number): number | undefined {
  const value = jsonText(attributes.value(LANGFUSE.completionStartTime));
  const time = typeof value === 'string' ? Date.parse(value.replace(/^"|"$/g, '')) : NaN;
  const ttft = time - startMs;
  return Number.isFinite(ttft) && ttft >= 0 && ttft <= 86_400_000 ? ttft : undefined;
}

/** Langfuse's trace tags (`langfuse.trace.tags`), as many as an event holds. */
function traceTags(attributes: AttributeReader): string[] | undefined {
  const tags = attributes.value(LANGFUSE.traceTags);
  if (!Array.isArray(tags)) return undefined;
  return tags
    .filter((tag): tag is string => typeof tag === 'string' && tag.length <= 256)
    .slice(0, 64);
}

/** The status message, else the recorded exception's message, else the error type. */
function failureMessage(span: OtlpSpan): string | undefined {
  if (span.status.message) return span.status.message;
  const exception = span.events.find((event) => event.name === GENERAL.exceptionEvent);
  return (
    stringOf(exception?.attributes.get(GENERAL.exceptionMessage)) ??
    stringOf(span.attributes.get(GENERAL.errorType))
  );
}

/** Span names of tool calls are `execute_tool {gen_ai.tool.name}` by convention. */
function toolNameOf(spanName: string): string {
  return spanName.replace(/^execute_tool\s+/, '') || 'unknown';
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
