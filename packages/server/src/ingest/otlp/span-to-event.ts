import type { EventInput } from '@tollgate/core';
import { AttributeReader } from './attribute-reader';
import { agentStepNumbers, classifySpan } from './classify-span';
import { GEN_AI, GENERAL, TRACELOOP } from './gen-ai-attributes';
import { mapGenAiOperation, type SpanOperation } from './map-gen-ai-operation';
import { mapSpanStatus } from './map-span-status';
import { attributesToObject } from './otlp-attributes';
import type { OtlpSpan, OtlpSpanEvent } from './otlp-trace-request';
import { jsonText, readPromptContent } from './span-content';
import { spanEventId } from './span-event-id';

/**
 * Maps the spans of one export request to events, index for index. The
 * events are client input: they still go through `eventInputSchema`, and a
 * span whose event fails it is rejected like any bad event.
 */
export function spansToEvents(spans: readonly OtlpSpan[]): EventInput[] {
  const operations = spans.map((span) => classifySpan(span.attributes));
  const stepNumbers = agentStepNumbers(spans, operations);
  return spans.map((span, index) =>
    spanToEvent(span, operations[index]!, stepNumbers.get(span) ?? 1),
  );
}

/**
 * One span as an event: the trace is the run, the parent span the parent,
 * the start the time; the span and parent span ids, and the attributes,
 * resource attributes and span events no field took, go to the metadata.
 */
export function spanToEvent(
  span: OtlpSpan,
  operation: SpanOperation,
  stepNumber: number,
): EventInput {
  const attributes = new AttributeReader(span.attributes);
  const resource = new AttributeReader(span.resource);
  const usedEvents = new Set<OtlpSpanEvent>();
  const startMs = Number(span.startTimeUnixNano / 1_000_000n);
  const errorType = span.attributes.get(GENERAL.errorType);
  const status = mapSpanStatus(
    span.status.code,
    typeof errorType === 'string' ? errorType : undefined,
  );
  const errorMessage = status === 'success' ? undefined : failureMessage(span);
  const common = {
    event_id: spanEventId(startMs, span.traceId, span.spanId),
    run_id: span.traceId,
    parent_id: span.parentSpanId,
    ts: startMs,
    name: span.name || undefined,
    service: resource.string(GENERAL.serviceName),
    env: resource.string(GENERAL.environment, GENERAL.environmentOld),
    user_id:
      attributes.string(GENERAL.userId, GENERAL.endUserId) ??
      resource.string(GENERAL.userId, GENERAL.endUserId),
    session_id:
      attributes.string(GENERAL.sessionId, GEN_AI.conversationId) ??
      resource.string(GENERAL.sessionId),
    status,
    latency_ms:
      span.endTimeUnixNano === undefined
        ? undefined
        : Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6,
  };
  if (operation.eventType !== 'custom') attributes.value(GEN_AI.operationName);
  const metadata = (extra: Record<string, unknown> = {}) =>
    spanMetadata(span, attributes, resource, usedEvents, extra);

  switch (operation.eventType) {
    case 'prompt_call': {
      const requestedModel = attributes.string(GEN_AI.requestModel);
      const requestType = attributes.string(TRACELOOP.requestType);
      const content = readPromptContent(attributes, span.events, usedEvents);
      return {
        ...common,
        event_type: 'prompt_call',
        operation: operation.operation ?? mapGenAiOperation(requestType)?.operation,
        provider: attributes.string(GEN_AI.providerName, GEN_AI.system),
        model: attributes.string(GEN_AI.responseModel) ?? requestedModel,
        model_requested: requestedModel,
        input_tokens: attributes.count(GEN_AI.inputTokens, GEN_AI.promptTokens),
        output_tokens: attributes.count(GEN_AI.outputTokens, GEN_AI.completionTokens),
        cached_tokens: attributes.count(
          GEN_AI.cacheReadInputTokens,
          GEN_AI.cacheReadInputTokensOld,
        ),
        input: content.input,
        output: content.output,
        error_message: errorMessage,
        metadata: metadata(),
      };
    }
    case 'tool_call':
      return {
        ...common,
        event_type: 'tool_call',
        tool_name: attributes.string(GEN_AI.toolName) ?? toolNameOf(span.name),
        input: jsonText(attributes.value(GEN_AI.toolCallArguments, TRACELOOP.entityInput)),
        output: jsonText(attributes.value(GEN_AI.toolCallResult, TRACELOOP.entityOutput)),
        error_message: errorMessage,
        metadata: metadata(),
      };
    case 'agent_step': {
      const content = readPromptContent(attributes, span.events, usedEvents);
      return {
        ...common,
        event_type: 'agent_step',
        step_number: stepNumber,
        step_name: attributes.string(GEN_AI.agentName) ?? span.name,
        step_type: stringOf(span.attributes.get(GEN_AI.operationName)) ?? 'agent',
        input: content.input ?? jsonText(attributes.value(TRACELOOP.entityInput)),
        output: content.output ?? jsonText(attributes.value(TRACELOOP.entityOutput)),
        error_message: errorMessage,
        metadata: metadata(),
      };
    }
    case 'custom':
      return {
        ...common,
        event_type: 'custom',
        input: jsonText(attributes.value(TRACELOOP.entityInput)),
        output: jsonText(attributes.value(TRACELOOP.entityOutput)),
        // A custom event has no error message field.
        metadata: metadata(errorMessage ? { status_message: errorMessage } : {}),
      };
    default: {
      const unknown: never = operation.eventType;
      throw new Error(`unmapped span event type ${String(unknown)}`);
    }
  }
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
