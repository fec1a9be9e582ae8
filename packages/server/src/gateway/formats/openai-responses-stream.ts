/**
 * `/v1/responses` streaming: canonical stream chunks → the Responses API's
 * server-sent events, in OpenAI's order: response.created,
 * response.in_progress; per output item output_item.added, its parts and
 * deltas (reasoning summary text, output text or refusal, function call
 * arguments), their `.done` events and output_item.done; then
 * response.completed (or response.incomplete) with the whole response.
 * Every event carries its `sequence_number`. Errors thrown by the chunks
 * propagate; send them with `responsesErrorEvent`.
 */
import type { OpenAIChatChunk, OpenAIFinishReason, OpenAIUsage } from '@tollgate/core';
import type { ResponsesRequest } from './openai-responses-request';
import {
  functionCallItemId,
  outputText,
  newResponsesId,
  responsesObject,
  responsesUsageOf,
  type ResponsesOutputItem,
} from './openai-responses-response';

export interface ResponsesStreamEvent {
  type: string;
  sequence_number: number;
  [field: string]: unknown;
}

type OpenItem =
  | { kind: 'reasoning'; index: number; id: string; text: string }
  | {
      kind: 'message';
      index: number;
      id: string;
      part: { kind: 'text' | 'refusal'; index: number; text: string } | undefined;
      content: Array<{ type: 'output_text' | 'refusal'; text: string }>;
    }
  | {
      kind: 'call';
      index: number;
      id: string;
      toolCallIndex: number;
      callId: string;
      name: string;
      arguments: string;
    };

type Unnumbered = { type: string; [field: string]: unknown };

/** Turns the chunks of one canonical stream into Responses events. */
export async function* toResponsesStreamEvents(
  chunks: AsyncIterable<OpenAIChatChunk>,
  request: ResponsesRequest,
): AsyncGenerator<ResponsesStreamEvent, void, undefined> {
  let sequence = 0;
  const numbered = (event: Unnumbered): ResponsesStreamEvent => ({
    ...event,
    sequence_number: sequence++,
  });
  const output: ResponsesOutputItem[] = [];
  let open: OpenItem | undefined;
  let id = '';
  let model = request.model;
  let createdAt = Math.floor(Date.now() / 1000);
  let finishReason: OpenAIFinishReason | null = null;
  let usage: OpenAIUsage | undefined;
  let messageCount = 0;

  const snapshot = (inProgress: boolean) =>
    responsesObject(request, {
      id,
      createdAt,
      model,
      output: inProgress ? [] : output,
      usage: inProgress ? null : responsesUsageOf(usage),
      finishReason,
      inProgress,
    });

  function* closePart(): Generator<Unnumbered> {
    if (open?.kind !== 'message' || !open.part) return;
    const { part } = open;
    const common = { item_id: open.id, output_index: open.index, content_index: part.index };
    if (part.kind === 'text') {
      yield { type: 'response.output_text.done', ...common, text: part.text, logprobs: [] };
      yield { type: 'response.content_part.done', ...common, part: outputText(part.text) };
      open.content.push({ type: 'output_text', text: part.text });
    } else {
      yield { type: 'response.refusal.done', ...common, refusal: part.text };
      yield {
        type: 'response.content_part.done',
        ...common,
        part: { type: 'refusal', refusal: part.text },
      };
      open.content.push({ type: 'refusal', text: part.text });
    }
    open.part = undefined;
  }

  function* closeItem(): Generator<Unnumbered> {
    if (!open) return;
    yield* closePart();
    let item: ResponsesOutputItem;
    if (open.kind === 'reasoning') {
      const part = { type: 'summary_text' as const, text: open.text };
      const common = { item_id: open.id, output_index: open.index, summary_index: 0 };
      yield { type: 'response.reasoning_summary_text.done', ...common, text: open.text };
      yield { type: 'response.reasoning_summary_part.done', ...common, part };
      item = { type: 'reasoning', id: open.id, summary: [part] };
    } else if (open.kind === 'message') {
      item = {
        type: 'message',
        id: open.id,
        status: 'completed',
        role: 'assistant',
        content: open.content.map((part) =>
          part.type === 'output_text'
            ? outputText(part.text)
            : { type: 'refusal', refusal: part.text },
        ),
      };
    } else {
      yield {
        type: 'response.function_call_arguments.done',
        item_id: open.id,
        output_index: open.index,
        name: open.name,
        arguments: open.arguments,
      };
      item = {
        type: 'function_call',
        id: open.id,
        call_id: open.callId,
        name: open.name,
        arguments: open.arguments,
        status: 'completed',
      };
    }
    output.push(item);
    yield { type: 'response.output_item.done', output_index: open.index, item };
    open = undefined;
  }

  function* addText(kind: 'text' | 'refusal', delta: string): Generator<Unnumbered> {
    if (open?.kind !== 'message') {
      yield* closeItem();
      const itemId = `msg_${id}${messageCount++ === 0 ? '' : messageCount}`;
      open = { kind: 'message', index: output.length, id: itemId, part: undefined, content: [] };
      yield {
        type: 'response.output_item.added',
        output_index: open.index,
        item: {
          type: 'message',
          id: itemId,
          status: 'in_progress',
          role: 'assistant',
          content: [],
        },
      };
    }
    const message = open;
    if (message.part?.kind !== kind) {
      yield* closePart();
      message.part = { kind, index: message.content.length, text: '' };
      yield {
        type: 'response.content_part.added',
        item_id: message.id,
        output_index: message.index,
        content_index: message.part.index,
        part: kind === 'text' ? outputText('') : { type: 'refusal', refusal: '' },
      };
    }
    const part = message.part;
    part.text += delta;
    const common = {
      item_id: message.id,
      output_index: message.index,
      content_index: part.index,
    };
    yield kind === 'text'
      ? { type: 'response.output_text.delta', ...common, delta, logprobs: [] }
      : { type: 'response.refusal.delta', ...common, delta };
  }

  function* addReasoning(delta: string): Generator<Unnumbered> {
    if (open?.kind !== 'reasoning') {
      yield* closeItem();
      open = { kind: 'reasoning', index: output.length, id: `rs_${id}`, text: '' };
      yield {
        type: 'response.output_item.added',
        output_index: open.index,
        item: { type: 'reasoning', id: open.id, summary: [] },
      };
      yield {
        type: 'response.reasoning_summary_part.added',
        item_id: open.id,
        output_index: open.index,
        summary_index: 0,
        part: { type: 'summary_text', text: '' },
      };
    }
    open.text += delta;
    yield {
      type: 'response.reasoning_summary_text.delta',
      item_id: open.id,
      output_index: open.index,
      summary_index: 0,
      delta,
    };
  }

  function* addToolCall(
    call: NonNullable<OpenAIChatChunk['choices'][number]['delta']['tool_calls']>[number],
  ): Generator<Unnumbered> {
    if (open?.kind !== 'call' || open.toolCallIndex !== call.index) {
      yield* closeItem();
      const callId = call.id ?? `call_${id}_${call.index}`;
      open = {
        kind: 'call',
        index: output.length,
        id: functionCallItemId(callId),
        toolCallIndex: call.index,
        callId,
        name: call.function?.name ?? '',
        arguments: '',
      };
      yield {
        type: 'response.output_item.added',
        output_index: open.index,
        item: {
          type: 'function_call',
          id: open.id,
          call_id: callId,
          name: open.name,
          arguments: '',
          status: 'in_progress',
        },
      };
    }
    const delta = call.function?.arguments;
    if (delta) {
      open.arguments += delta;
      yield {
        type: 'response.function_call_arguments.delta',
        item_id: open.id,
        output_index: open.index,
        delta,
      };
    }
  }

  let started = false;
  for await (const chunk of chunks) {
    if (!started) {
      started = true;
      id = newResponsesId();
      model = chunk.model || model;
      createdAt = chunk.created || createdAt;
      yield numbered({ type: 'response.created', response: snapshot(true) });
      yield numbered({ type: 'response.in_progress', response: snapshot(true) });
    }
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices.find((candidate) => candidate.index === 0);
    if (!choice) continue;
    const { delta } = choice;
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    const events: Unnumbered[] = [];
    if (typeof reasoning === 'string' && reasoning) events.push(...addReasoning(reasoning));
    if (typeof delta.refusal === 'string' && delta.refusal)
      events.push(...addText('refusal', delta.refusal));
    if (typeof delta.content === 'string' && delta.content)
      events.push(...addText('text', delta.content));
    for (const call of delta.tool_calls ?? []) events.push(...addToolCall(call));
    if (choice.finish_reason) finishReason = choice.finish_reason;
    for (const event of events) yield numbered(event);
  }
  if (!started) return;
  for (const event of closeItem()) yield numbered(event);
  const final = snapshot(false);
  yield numbered({
    type: final.status === 'incomplete' ? 'response.incomplete' : 'response.completed',
    response: final,
  });
}

/** One event in SSE framing, as OpenAI sends them: `event: <type>` then `data: <json>`. */
export function formatResponsesSse(event: { type: string; [field: string]: unknown }): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
