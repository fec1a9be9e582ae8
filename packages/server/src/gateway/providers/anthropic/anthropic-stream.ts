import { UpstreamError } from '@tollgate/core';
import type {
  OpenAIChatChunk,
  OpenAIChatChunkDelta,
  OpenAIFinishReason,
  StreamUsageReport,
} from '@tollgate/core';
import { createStreamError } from '../provider-error-spec';
import type { SseEvent } from '../sse-parser';
import { streamEndedEarly } from '../upstream-http';
import type { AnthropicStreamEvent, AnthropicUsage } from './anthropic-api';
import { anthropicErrorSpec } from './anthropic-error';
import { convertAnthropicPromptUsage, convertAnthropicUsage } from './convert-anthropic-usage';
import { mapAnthropicStopReason } from './map-anthropic-finish-reason';
import type { AnthropicResponseOptions } from './convert-anthropic-response';

/**
 * Anthropic's SSE events → OpenAI chunks: message_start gives the role,
 * text_delta the content, tool_use blocks and their input_json_delta the
 * tool-call deltas (numbered in order of the tool calls, not of the blocks),
 * message_delta the finish reason, message_stop the usage chunk. An `error`
 * event or an end before message_stop throws an `UpstreamError` of kind 'stream'.
 * `report` hears the prompt usage of message_start before the first chunk is
 * yielded, the thinking text (not passed on), and the output count of message_delta.
 */
export async function* convertAnthropicStream(
  events: AsyncIterable<SseEvent>,
  options: AnthropicResponseOptions,
  report: StreamUsageReport = {},
): AsyncGenerator<OpenAIChatChunk, void, undefined> {
  let id = '';
  let model = '';
  let usage: Partial<AnthropicUsage> = {};
  let stopped = false;
  let jsonAnswer = false;
  const toolIndexOfBlock = new Map<number, number>();
  const jsonBlocks = new Set<number>();
  const chunk = (
    delta: OpenAIChatChunkDelta,
    finishReason: OpenAIFinishReason | null = null,
  ): OpenAIChatChunk => ({
    id,
    object: 'chat.completion.chunk',
    created: options.created,
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });

  for await (const { data } of events) {
    if (stopped) continue; // Read to the end so the connection can be kept alive.
    const event = parseEvent(data);
    switch (event.type) {
      case 'message_start':
        id = event.message.id;
        model = event.message.model;
        usage = { ...event.message.usage };
        report.prompt = convertAnthropicPromptUsage(usage);
        yield chunk({ role: 'assistant', content: '' });
        break;
      case 'content_block_start': {
        const block = event.content_block;
        if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') {
          yield chunk({ content: block.text });
        } else if (block.type === 'tool_use') {
          const { id: callId, name } = block as { id: string; name: string };
          if (name === options.jsonResponseTool) {
            jsonBlocks.add(event.index);
            jsonAnswer = true;
          } else {
            const index = toolIndexOfBlock.size;
            toolIndexOfBlock.set(event.index, index);
            yield chunk({
              tool_calls: [
                { index, id: callId, type: 'function', function: { name, arguments: '' } },
              ],
            });
          }
        }
        break;
      }
      case 'content_block_delta': {
        const delta = event.delta;
        if (delta.type === 'text_delta') {
          yield chunk({ content: delta.text });
        } else if (delta.type === 'thinking_delta') {
          report.reasoningText = (report.reasoningText ?? '') + delta.thinking;
        } else if (delta.type === 'input_json_delta') {
          if (jsonBlocks.has(event.index)) {
            yield chunk({ content: delta.partial_json });
          } else {
            const index = toolIndexOfBlock.get(event.index);
            if (index !== undefined)
              yield chunk({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] });
          }
        }
        break;
      }
      case 'message_delta': {
        usage = { ...usage, ...definedCounts(event.usage) };
        report.prompt = convertAnthropicPromptUsage(usage);
        report.completion = { completion_tokens: usage.output_tokens ?? 0 };
        const stopReason = event.delta.stop_reason;
        yield chunk(
          {},
          jsonAnswer && stopReason === 'tool_use' ? 'stop' : mapAnthropicStopReason(stopReason),
        );
        break;
      }
      case 'message_stop':
        stopped = true;
        yield { ...chunk({}), choices: [], usage: convertAnthropicUsage(usage) };
        break;
      case 'error':
        throw createStreamError(anthropicErrorSpec, 'anthropic', data);
      default:
        // ping, content_block_stop, thinking deltas and event types added later carry nothing to translate.
        break;
    }
  }
  if (!stopped) throw streamEndedEarly('anthropic', 'message_stop');
}

function parseEvent(data: string): AnthropicStreamEvent {
  try {
    const event: unknown = JSON.parse(data);
    if (
      typeof event === 'object' &&
      event !== null &&
      typeof (event as { type?: unknown }).type === 'string'
    ) {
      return event as AnthropicStreamEvent;
    }
  } catch {
    // Reported below.
  }
  throw new UpstreamError({
    kind: 'stream',
    provider: 'anthropic',
    body: data,
    message: 'anthropic sent an unreadable stream event',
  });
}

/** message_delta usage may repeat counts as null; keep only the numbers (and the cache-write split). */
function definedCounts(usage: Partial<AnthropicUsage> | undefined): Partial<AnthropicUsage> {
  const counts: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(usage ?? {})) {
    if (typeof value === 'number' || (key === 'cache_creation' && value)) counts[key] = value;
  }
  return counts as Partial<AnthropicUsage>;
}
