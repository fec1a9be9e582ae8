import { GEN_AI, TRACELOOP } from './gen-ai-attributes';
import {
  mapGenAiOperation,
  mapTraceloopSpanKind,
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
];

/** Attributes that suggest a model call when nothing more specific is there. */
const MODEL_HINT_KEYS = [
  GEN_AI.providerName,
  GEN_AI.system,
  GEN_AI.inputMessages,
  GEN_AI.outputMessages,
  GEN_AI.prompt,
  GEN_AI.completion,
];

/**
 * Which event a span becomes. A known operation name decides; otherwise, in
 * order: a tool name makes a tool call, OpenLLMetry's span kind a tool or an
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
  const named = mapGenAiOperation(text(GEN_AI.operationName));
  if (named) return named;
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
