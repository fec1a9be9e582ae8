import type { AttributeReader } from './attribute-reader';
import { LANGFUSE, OPENINFERENCE, VERCEL_AI } from './gen-ai-attributes';
import { isRecord, type AttributeValue } from './otlp-attributes';
import { jsonText, type SpanContent } from './span-content';

/**
 * Prompt and completion content as the other dialects carry it, first found
 * wins: OpenInference's flattened `llm.input_messages.0.message.content` (then
 * its `input.value` / `output.value`), the AI SDK's `ai.prompt.messages` /
 * `ai.prompt` and `ai.response.text` / `.object` / `.toolCalls` (embeddings:
 * `ai.value(s)`), Langfuse's `langfuse.observation.input` / `.output`.
 */
export function readDialectContent(attributes: AttributeReader): SpanContent {
  const input =
    openInferenceMessages(attributes.flattened(OPENINFERENCE.inputMessages)) ??
    openInferenceEmbeddingTexts(attributes) ??
    jsonText(attributes.value(VERCEL_AI.promptMessages, VERCEL_AI.prompt)) ??
    vercelEmbeddingValues(attributes) ??
    jsonText(attributes.value(LANGFUSE.input)) ??
    jsonText(attributes.value(OPENINFERENCE.inputValue));
  const output =
    openInferenceMessages(attributes.flattened(OPENINFERENCE.outputMessages)) ??
    vercelResponse(attributes) ??
    jsonText(attributes.value(LANGFUSE.output)) ??
    jsonText(attributes.value(OPENINFERENCE.outputValue));
  if (input !== undefined) {
    attributes.value(OPENINFERENCE.inputValue, 'input.mime_type', 'llm.invocation_parameters');
  }
  if (output !== undefined) attributes.value(OPENINFERENCE.outputValue, 'output.mime_type');
  return { input, output };
}

/**
 * Attributes flattened under a prefix (`0.message.role`, `0.message.tool_calls.1.tool_call.id`)
 * back into the value they came from: numeric keys make arrays, in index order.
 */
export function unflatten(entries: Map<string, AttributeValue>): unknown {
  if (entries.size === 0) return undefined;
  // Prototype-free nodes: a key such as `__proto__` stays a key.
  const root = Object.create(null) as Record<string, unknown>;
  for (const [path, value] of entries) {
    const keys = path.split('.');
    let node = root;
    keys.forEach((key, index) => {
      if (index === keys.length - 1) {
        node[key] = value;
        return;
      }
      const next = node[key];
      node[key] = isRecord(next) ? next : (Object.create(null) as Record<string, unknown>);
      node = node[key] as Record<string, unknown>;
    });
  }
  return arraysOf(root);
}

function arraysOf(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every((key) => /^\d+$/.test(key))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((key) => arraysOf(value[String(key)]));
  }
  return Object.fromEntries(keys.map((key) => [key, arraysOf(value[key])]));
}

/** `[{ message: { role, content, tool_calls: [{ tool_call: {…} }] } }]` → `[{ role, content, tool_calls: [{…}] }]`. */
function openInferenceMessages(entries: Map<string, AttributeValue>): unknown {
  const messages = unflatten(entries);
  if (!Array.isArray(messages)) return undefined;
  return messages.map((item) => {
    const message = isRecord(item) && isRecord(item.message) ? { ...item.message } : item;
    if (isRecord(message) && Array.isArray(message.tool_calls)) {
      message.tool_calls = message.tool_calls.map((call) =>
        isRecord(call) && isRecord(call.tool_call) ? call.tool_call : call,
      );
    }
    return message;
  });
}

/** OpenInference embedding spans: the texts embedded (the vectors are left out). */
function openInferenceEmbeddingTexts(attributes: AttributeReader): unknown {
  const embeddings = unflatten(attributes.flattened(OPENINFERENCE.embeddings));
  if (!Array.isArray(embeddings)) return undefined;
  const texts = embeddings.map((item) =>
    isRecord(item) && isRecord(item.embedding) ? item.embedding.text : undefined,
  );
  if (texts.some((text) => text === undefined)) return undefined;
  return texts.length === 1 ? texts[0] : texts;
}

/** `ai.value` (JSON text of one value) or `ai.values` (an array of them). */
function vercelEmbeddingValues(attributes: AttributeReader): unknown {
  const values = attributes.value(VERCEL_AI.embedValues);
  const value = attributes.value(VERCEL_AI.embedValue);
  if (values === undefined && value === undefined) return undefined;
  // The vectors are not content: read them so they stay out of the metadata too.
  attributes.value('ai.embedding', 'ai.embeddings');
  if (Array.isArray(values)) {
    return values.length === 1 ? jsonValue(values[0]) : values.map((item) => jsonValue(item));
  }
  return jsonValue(value);
}

/** The AI SDK writes each embedded value as JSON, strings too (`"\"hello\""`). */
function jsonValue(value: AttributeValue | undefined): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** The generated text, else the object, else the tool calls the model asked for. */
function vercelResponse(attributes: AttributeReader): unknown {
  const text = attributes.string(VERCEL_AI.responseText);
  const toolCalls = jsonText(attributes.value(VERCEL_AI.responseToolCalls));
  if (text !== undefined && toolCalls === undefined) return text;
  if (text !== undefined) return { text, tool_calls: toolCalls };
  return jsonText(attributes.value(VERCEL_AI.responseObject)) ?? toolCalls;
}
