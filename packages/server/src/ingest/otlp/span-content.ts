import type { AttributeReader } from './attribute-reader';
import { GEN_AI, GEN_AI_EVENTS } from './gen-ai-attributes';
import { isRecord, type AttributeValue } from './otlp-attributes';
import type { OtlpSpanEvent } from './otlp-trace-request';

export interface SpanContent {
  input?: unknown;
  output?: unknown;
}

/** Message events and the role each one stands for. */
const MESSAGE_EVENT_ROLES: ReadonlyMap<string, string> = new Map([
  [GEN_AI_EVENTS.systemMessage, 'system'],
  [GEN_AI_EVENTS.userMessage, 'user'],
  [GEN_AI_EVENTS.assistantMessage, 'assistant'],
  [GEN_AI_EVENTS.toolMessage, 'tool'],
]);

/**
 * The prompt and the completion of a model call, from wherever the
 * instrumentation put them, first found wins: the current attributes
 * (`gen_ai.input.messages` / `gen_ai.output.messages`), the older
 * `gen_ai.prompt` / `gen_ai.completion`, OpenLLMetry's flattened
 * `gen_ai.prompt.0.content`, then span events (the operation-details event,
 * `gen_ai.content.prompt` / `.completion`, per-message events and
 * `gen_ai.choice`). Events used are added to `usedEvents`.
 */
export function readPromptContent(
  reader: AttributeReader,
  events: readonly OtlpSpanEvent[],
  usedEvents: Set<OtlpSpanEvent>,
): SpanContent {
  const input =
    jsonText(reader.value(GEN_AI.inputMessages)) ??
    jsonText(reader.value(GEN_AI.prompt)) ??
    flattenedMessages(reader.flattened(GEN_AI.prompt)) ??
    eventAttribute(events, GEN_AI_EVENTS.operationDetails, GEN_AI.inputMessages, usedEvents) ??
    eventAttribute(events, GEN_AI_EVENTS.contentPrompt, GEN_AI.prompt, usedEvents) ??
    messageEvents(events, usedEvents);
  const output =
    jsonText(reader.value(GEN_AI.outputMessages)) ??
    jsonText(reader.value(GEN_AI.completion)) ??
    flattenedMessages(reader.flattened(GEN_AI.completion)) ??
    eventAttribute(events, GEN_AI_EVENTS.operationDetails, GEN_AI.outputMessages, usedEvents) ??
    eventAttribute(events, GEN_AI_EVENTS.contentCompletion, GEN_AI.completion, usedEvents) ??
    choiceEvents(events, usedEvents);
  return { input, output: output === undefined ? undefined : completionText(output) };
}

/** A JSON document sent as text (`gen_ai.input.messages` often is) becomes its value. */
export function jsonText(value: AttributeValue | undefined): unknown {
  if (typeof value !== 'string') return value ?? undefined;
  const trimmed = value.trimStart();
  if (!trimmed.startsWith('[') && !trimmed.startsWith('{')) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/**
 * A completion of one assistant message made only of text is stored as that
 * text, as the gateway stores its answers; anything richer stays structured.
 */
export function completionText(output: unknown): unknown {
  const message = Array.isArray(output) && output.length === 1 ? output[0] : output;
  if (typeof message === 'string') return message;
  if (!isRecord(message)) return output;
  if (typeof message.content === 'string') return message.content;
  if (Array.isArray(message.parts) && message.parts.length > 0) {
    const texts = message.parts.map((part) =>
      isRecord(part) && part.type === 'text' && typeof part.content === 'string'
        ? part.content
        : undefined,
    );
    if (texts.every((text) => text !== undefined)) return texts.join('');
  }
  return output;
}

/** `0.role`, `0.content`, `1.role`… into `[{ role, content }, …]` in index order. */
function flattenedMessages(entries: Map<string, AttributeValue>): unknown {
  const messages = new Map<number, Array<[string, AttributeValue]>>();
  for (const [path, value] of entries) {
    const match = /^(\d+)\.(.+)$/.exec(path);
    if (!match) continue;
    const index = Number(match[1]);
    const fields = messages.get(index) ?? [];
    fields.push([match[2]!, value]);
    messages.set(index, fields);
  }
  if (messages.size === 0) return undefined;
  return [...messages.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, fields]) => Object.fromEntries(fields));
}

function eventAttribute(
  events: readonly OtlpSpanEvent[],
  eventName: string,
  key: string,
  usedEvents: Set<OtlpSpanEvent>,
): unknown {
  const event = events.find((candidate) => candidate.name === eventName);
  const value = event?.attributes.get(key);
  if (!event || value === undefined) return undefined;
  usedEvents.add(event);
  return jsonText(value);
}

/** Per-message events (`gen_ai.user.message`…) into `[{ role, content }, …]`. */
function messageEvents(events: readonly OtlpSpanEvent[], usedEvents: Set<OtlpSpanEvent>): unknown {
  const messages: unknown[] = [];
  for (const event of events) {
    const role = MESSAGE_EVENT_ROLES.get(event.name);
    if (!role) continue;
    usedEvents.add(event);
    const body = eventBody(event);
    messages.push(isRecord(body) ? { role, ...body } : { role, content: body });
  }
  return messages.length > 0 ? messages : undefined;
}

/** `gen_ai.choice` events into the messages they carry, in index order. */
function choiceEvents(events: readonly OtlpSpanEvent[], usedEvents: Set<OtlpSpanEvent>): unknown {
  const choices: unknown[] = [];
  for (const event of events) {
    if (event.name !== GEN_AI_EVENTS.choice) continue;
    usedEvents.add(event);
    const body = eventBody(event);
    choices.push(isRecord(body) && body.message !== undefined ? body.message : body);
  }
  return choices.length > 0 ? choices : undefined;
}

/**
 * What a message event says. Span events have no body, so instrumentations
 * put it in `gen_ai.event.content` (JSON text), in `content` / `message`, or
 * spread over the attributes.
 */
function eventBody(event: OtlpSpanEvent): unknown {
  const encoded = event.attributes.get('gen_ai.event.content');
  if (encoded !== undefined) return jsonText(encoded);
  const fields = Object.fromEntries(
    [...event.attributes].filter(([key]) => key !== 'gen_ai.system' && key !== GEN_AI.providerName),
  );
  if (Object.keys(fields).length === 1 && fields.content !== undefined) {
    return jsonText(fields.content);
  }
  return fields;
}
