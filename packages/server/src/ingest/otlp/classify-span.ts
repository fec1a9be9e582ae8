import { GEN_AI, LANGFUSE, OPENINFERENCE, TRACELOOP, VERCEL_AI } from './gen-ai-attributes';
import {
  mapGenAiOperation,
  mapLangfuseObservationType,
  mapOpenInferenceSpanKind,
  mapTraceloopSpanKind,
  mapVercelAiOperation,
  type SpanOperation,
} from './map-gen-ai-operation';
import type { Attributes } from './otlp-attributes';
import type { OtlpSpan } from './otlp-trace-request';

/** Attributes only a model call has. */
const MODEL_CALL_KEYS = [
  GEN_AI.requestModel,
  GEN_AI.responseModel,
  GEN_AI.inputTokens,
  GEN_AI.outputTokens,
  GEN_AI.promptTokens,
  GEN_AI.completionTokens,
  OPENINFERENCE.modelName,
  OPENINFERENCE.promptTokens,
  LANGFUSE.modelName,
];

/** Attributes that suggest a model call when nothing more specific is there. */
const MODEL_HINT_KEYS = [
  GEN_AI.providerName,
  GEN_AI.system,
  GEN_AI.inputMessages,
  GEN_AI.outputMessages,
  GEN_AI.prompt,
  GEN_AI.completion,
  VERCEL_AI.modelId,
];

/**
 * Which event a span becomes. A dialect's own kind decides first, in order:
 * the AI SDK's operation id (so its wrapper functions are never counted as
 * model calls), OpenInference's span kind, a known GenAI operation name,
 * Langfuse's observation type. Otherwise, in order: a tool name makes a tool call, OpenLLMetry's span kind a tool or an
 * agent, its request type or a model or token count a model call, an agent
 * name or id an agent step, and a provider or prompt/completion content a
 * model call. Anything else, including a span whose only GenAI attribute is
 * an operation name Tollgate does not know, is a `custom` event.
 */
export function classifySpan(attributes: Attributes): SpanOperation {
  const text = (key: string) => {
    const value = attributes.get(key);
    return typeof value === 'string' ? value : undefined;
  };
  const has = (key: string) => attributes.has(key);
  const dialectKind =
    mapVercelAiOperation(text(VERCEL_AI.operationId)) ??
    mapOpenInferenceSpanKind(text(OPENINFERENCE.spanKind)) ??
    mapGenAiOperation(text(GEN_AI.operationName)) ??
    mapLangfuseObservationType(text(LANGFUSE.observationType));
  if (dialectKind) return dialectKind;
  if (has(GEN_AI.toolName)) return { eventType: 'tool_call' };
  const traceloopKind = mapTraceloopSpanKind(text(TRACELOOP.spanKind));
  if (traceloopKind) return traceloopKind;
  const requestType = mapGenAiOperation(text(TRACELOOP.requestType));
  if (requestType?.eventType === 'prompt_call') return requestType;
  if (MODEL_CALL_KEYS.some(has)) return { eventType: 'prompt_call' };
  if (has(GEN_AI.agentName) || has(GEN_AI.agentId)) return { eventType: 'agent_step' };
  const hinted = MODEL_HINT_KEYS.some(
    (key) => has(key) || [...attributes.keys()].some((name) => name.startsWith(`${key}.`)),
  );
  return hinted ? { eventType: 'prompt_call' } : { eventType: 'custom' };
}

/**
 * Step numbers of the agent spans: 1, 2, … by start time within each trace
 * of the request (span id breaks ties, so a resent batch numbers the same).
 */
export function agentStepNumbers(
  spans: readonly OtlpSpan[],
  operations: readonly SpanOperation[],
): Map<OtlpSpan, number> {
  const byTrace = new Map<string, OtlpSpan[]>();
  spans.forEach((span, index) => {
    if (operations[index]?.eventType !== 'agent_step') return;
    const trace = byTrace.get(span.traceId) ?? [];
    trace.push(span);
    byTrace.set(span.traceId, trace);
  });
  const numbers = new Map<OtlpSpan, number>();
  for (const trace of byTrace.values()) {
    trace.sort((a, b) =>
      a.startTimeUnixNano === b.startTimeUnixNano
        ? a.spanId.localeCompare(b.spanId)
        : a.startTimeUnixNano < b.startTimeUnixNano
          ? -1
          : 1,
    );
    trace.forEach((span, index) => numbers.set(span, index + 1));
  }
  return numbers;
}

/**
 * A model-call span with another model-call span beneath it in the same
 * export describes the same call from further out (a framework's span around
 * the client library's, a Langfuse generation around an instrumented client):
 * only the innermost is counted, the outer ones become custom events. The same
 * call: the same kind of operation, and models that agree (one names the
 * other, as `gpt-4o` and `gpt-4o-2024-08-06` do, or one names none). Returns,
 * for each demoted span, the span id of the call it wraps.
 */
export function wrappingModelCalls(
  spans: readonly OtlpSpan[],
  operations: SpanOperation[],
): Map<OtlpSpan, string> {
  const byId = new Map(spans.map((span) => [`${span.traceId}:${span.spanId}`, span]));
  const modelCalls = new Set(
    spans.filter((_, index) => operations[index]?.eventType === 'prompt_call'),
  );
  const isModelCall = (span: OtlpSpan) => modelCalls.has(span);
  const indexes = new Map(spans.map((span, index) => [span, index]));
  const wrapping = new Map<OtlpSpan, string>();
  for (const span of spans) {
    if (!isModelCall(span)) continue;
    const seen = new Set<OtlpSpan>();
    let parent = span.parentSpanId ? byId.get(`${span.traceId}:${span.parentSpanId}`) : undefined;
    while (parent && !seen.has(parent)) {
      seen.add(parent);
      const sameCall =
        isModelCall(parent) &&
        sameOperation(operations[indexes.get(parent)!], operations[indexes.get(span)!]) &&
        sameModel(parent.attributes, span.attributes);
      if (sameCall && !wrapping.has(parent)) wrapping.set(parent, span.spanId);
      parent = parent.parentSpanId
        ? byId.get(`${parent.traceId}:${parent.parentSpanId}`)
        : undefined;
    }
  }
  return wrapping;
}

/** Every attribute that names a span's model, in any dialect. */
const MODEL_KEYS = [
  GEN_AI.requestModel,
  GEN_AI.responseModel,
  OPENINFERENCE.modelName,
  OPENINFERENCE.embeddingModelName,
  VERCEL_AI.modelId,
  VERCEL_AI.responseModel,
  LANGFUSE.modelName,
];

function sameOperation(
  outer: SpanOperation | undefined,
  inner: SpanOperation | undefined,
): boolean {
  return !outer?.operation || !inner?.operation || outer.operation === inner.operation;
}

function sameModel(outer: Attributes, inner: Attributes): boolean {
  const models = (attributes: Attributes) =>
    MODEL_KEYS.map((key) => attributes.get(key))
      .filter((value): value is string => typeof value === 'string' && value !== '')
      .map((model) => model.toLowerCase().replace(/^.*\//, ''));
  const outerModels = models(outer);
  const innerModels = models(inner);
  if (outerModels.length === 0 || innerModels.length === 0) return true;
  return outerModels.some((a) => innerModels.some((b) => a.startsWith(b) || b.startsWith(a)));
}
