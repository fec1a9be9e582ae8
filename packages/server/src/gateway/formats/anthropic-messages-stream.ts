/**
 * Canonical stream chunks → the SSE events of Anthropic's Messages API, for
 * Tollgate's `/v1/messages` endpoint: message_start, ping, then per content
 * block content_block_start / content_block_delta / content_block_stop, then
 * message_delta (stop reason and usage) and message_stop. Errors thrown by the
 * chunks propagate; send them as `event: error` with `anthropicErrorFrom`.
 */
import { randomUUID } from 'node:crypto';
import type {
  OpenAIChatChunk,
  OpenAIFinishReason,
  OpenAIUsage,
  StreamUsageReport,
} from '@tollgate/core';
import type { AnthropicStreamEvent } from '../providers/anthropic/anthropic-api';
import { toAnthropicUsage } from '../providers/anthropic/convert-anthropic-usage';
import { toAnthropicStopReason } from '../providers/anthropic/map-anthropic-finish-reason';
import type { AnthropicErrorBody } from './anthropic-messages-error';
import { anthropicToolUseId } from './anthropic-messages';

export interface AnthropicStreamOptions {
  /** The model the client asked for, used until a chunk names one. */
  model: string;
  /**
   * The upstream's usage so far: message_start tells the prompt side when the
   * upstream told it before the first chunk (an Anthropic upstream does).
   */
  reported?: StreamUsageReport;
}

type OpenBlock =
  { kind: 'text'; index: number } | { kind: 'tool'; index: number; toolCallIndex: number };

export async function* toAnthropicStreamEvents(
  chunks: AsyncIterable<OpenAIChatChunk>,
  options: AnthropicStreamOptions,
): AsyncGenerator<AnthropicStreamEvent, void, undefined> {
  let started = false;
  let open: OpenBlock | undefined;
  let nextBlockIndex = 0;
  let finishReason: OpenAIFinishReason | null = null;
  let usage: OpenAIUsage | undefined;

  function* closeBlock(): Generator<AnthropicStreamEvent> {
    if (open) yield { type: 'content_block_stop', index: open.index };
    open = undefined;
  }

  for await (const chunk of chunks) {
    if (!started) {
      started = true;
      yield {
        type: 'message_start',
        message: {
          id: chunk.id || `msg_${randomUUID().replaceAll('-', '')}`,
          type: 'message',
          role: 'assistant',
          model: chunk.model || options.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          // Unknown until the end unless the upstream told it first; the final counts come in message_delta.
          usage: options.reported?.prompt
            ? toAnthropicUsage(options.reported.prompt)
            : { input_tokens: 0, output_tokens: 0 },
        },
      };
      yield { type: 'ping' };
    }
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices.find((candidate) => candidate.index === 0);
    if (!choice) continue;
    const { content, tool_calls: toolCalls } = choice.delta;
    if (content) {
      if (open?.kind !== 'text') {
        yield* closeBlock();
        open = { kind: 'text', index: nextBlockIndex++ };
        yield {
          type: 'content_block_start',
          index: open.index,
          content_block: { type: 'text', text: '' },
        };
      }
      yield {
        type: 'content_block_delta',
        index: open.index,
        delta: { type: 'text_delta', text: content },
      };
    }
    for (const call of toolCalls ?? []) {
      if (open?.kind !== 'tool' || open.toolCallIndex !== call.index) {
        yield* closeBlock();
        open = { kind: 'tool', index: nextBlockIndex++, toolCallIndex: call.index };
        yield {
          type: 'content_block_start',
          index: open.index,
          content_block: {
            type: 'tool_use',
            id: call.id ? anthropicToolUseId(call.id) : `toolu_${randomUUID().replaceAll('-', '')}`,
            name: call.function?.name ?? '',
            input: {},
          },
        };
      }
      const partialJson = call.function?.arguments;
      if (partialJson) {
        yield {
          type: 'content_block_delta',
          index: open.index,
          delta: { type: 'input_json_delta', partial_json: partialJson },
        };
      }
    }
    if (choice.finish_reason) {
      finishReason = choice.finish_reason;
      yield* closeBlock();
    }
  }
  if (!started) return;
  yield* closeBlock();
  yield {
    type: 'message_delta',
    delta: { stop_reason: toAnthropicStopReason(finishReason), stop_sequence: null },
    usage: toAnthropicUsage(usage),
  };
  yield { type: 'message_stop' };
}

/** One event in SSE framing, as Anthropic sends it: `event: <type>` then `data: <json>`. */
export function formatAnthropicSse(event: AnthropicStreamEvent | AnthropicErrorBody): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
