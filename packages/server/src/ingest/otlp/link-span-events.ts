import type { EventRow } from '@tollgate/core';
import { isRecord } from './otlp-attributes';

/** A span id as OTLP events store it in `parent_id` when the parent came in another export. */
const SPAN_ID = /^[0-9a-f]{16}$/;

interface SpanLinks {
  spanId?: string;
  contentOfSpanId?: string;
  /** Order of content events: arrival of their request, then place in it. */
  arrivedAt: number;
  sequence: number;
}

/**
 * Joins, at read time, what OTLP stores apart (events are immutable, and a
 * parent span or a span's content logs may arrive in another export than the
 * span):
 * - a `parent_id` that is a span id becomes the event id of that span's event
 *   in the same run, so traces nest like SDK runs;
 * - GenAI content events from `/v1/logs` fill the prompt (messages in order)
 *   and the completion of their span's event when the span carried none, and
 *   are then left out of the list. Content events whose span is not among
 *   `rows` stay as they are.
 */
export function linkSpanEvents(rows: readonly EventRow[]): EventRow[] {
  const links = rows.map(spanLinksOf);
  const eventIdBySpan = new Map<string, string>();
  rows.forEach((row, index) => {
    const spanId = links[index]?.spanId;
    if (spanId) eventIdBySpan.set(`${row.run_id}:${spanId}`, row.event_id);
  });
  const contentBySpan = new Map<string, Array<{ row: EventRow; link: SpanLinks }>>();
  rows.forEach((row, index) => {
    const spanId = links[index]?.contentOfSpanId;
    const key = `${row.run_id}:${spanId}`;
    if (!spanId || !eventIdBySpan.has(key)) return;
    const group = contentBySpan.get(key) ?? [];
    group.push({ row, link: links[index]! });
    contentBySpan.set(key, group);
  });
  const linked: EventRow[] = [];
  rows.forEach((row, index) => {
    const link = links[index]!;
    if (link.contentOfSpanId && eventIdBySpan.has(`${row.run_id}:${link.contentOfSpanId}`)) return;
    const parentEventId = SPAN_ID.test(row.parent_id)
      ? eventIdBySpan.get(`${row.run_id}:${row.parent_id}`)
      : undefined;
    const content = link.spanId ? contentBySpan.get(`${row.run_id}:${link.spanId}`) : undefined;
    if (!parentEventId && !content) {
      linked.push(row);
      return;
    }
    linked.push({
      ...row,
      parent_id: parentEventId ?? row.parent_id,
      ...(content ? joinedContent(row, content) : {}),
    });
  });
  return linked;
}

function spanLinksOf(row: EventRow): SpanLinks {
  // Most events are not OTLP events: skip parsing their metadata.
  const none = { arrivedAt: 0, sequence: 0 };
  if (!row.metadata.includes('span_id')) return none;
  try {
    const metadata = JSON.parse(row.metadata) as unknown;
    if (!isRecord(metadata)) return none;
    return {
      spanId: typeof metadata.span_id === 'string' ? metadata.span_id : undefined,
      contentOfSpanId:
        typeof metadata.content_of_span_id === 'string' ? metadata.content_of_span_id : undefined,
      arrivedAt: typeof metadata.arrived_at === 'number' ? metadata.arrived_at : 0,
      sequence: typeof metadata.sequence === 'number' ? metadata.sequence : 0,
    };
  } catch {
    return none;
  }
}

/** The span's prompt and completion from its content events, where the span has none. */
function joinedContent(
  row: EventRow,
  content: Array<{ row: EventRow; link: SpanLinks }>,
): Pick<EventRow, 'input' | 'output'> {
  const ordered = [...content].sort((a, b) => {
    if (a.row.ts !== b.row.ts) return a.row.ts < b.row.ts ? -1 : 1;
    if (a.link.arrivedAt !== b.link.arrivedAt) return a.link.arrivedAt - b.link.arrivedAt;
    return a.link.sequence - b.link.sequence;
  });
  const inputs = ordered
    .filter((item) => item.row.input !== '')
    .map((item) => parse(item.row.input));
  const outputs = ordered
    .filter((item) => item.row.output !== '')
    .map((item) => parse(item.row.output));
  return {
    input: row.input !== '' || inputs.length === 0 ? row.input : JSON.stringify(flatten(inputs)),
    output: row.output !== '' || outputs.length === 0 ? row.output : completionOf(flatten(outputs)),
  };
}

/** An operation-details event carries all messages at once: one list either way. */
function flatten(values: unknown[]): unknown[] {
  return values.length === 1 && Array.isArray(values[0]) ? values[0] : values.flat();
}

/** One choice whose message is plain text is stored as that text, as the gateway stores answers. */
function completionOf(choices: unknown[]): string {
  const only = choices.length === 1 ? choices[0] : undefined;
  const message = isRecord(only) && isRecord(only.message) ? only.message : only;
  if (isRecord(message) && typeof message.content === 'string' && !message.tool_calls) {
    return message.content;
  }
  if (isRecord(message) && Array.isArray(message.parts) && message.parts.length === 1) {
    const part = message.parts[0];
    if (isRecord(part) && part.type === 'text' && typeof part.content === 'string') {
      return part.content;
    }
  }
  return JSON.stringify(choices.length === 1 ? only : choices);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
