/**
 * Tollgate's Anthropic-compatible `/v1/messages` endpoint: an incoming
 * Anthropic Messages request → the canonical OpenAI request, and a canonical
 * response → an Anthropic message. The mapping tables and block conversions
 * are the anthropic provider's, used in the other direction.
 */
import {
  InvalidRequestError,
  contentText,
  isInvalidRequestError,
  toParseResult,
} from '@tollgate/core';
import type {
  OpenAIChatMessage,
  OpenAIChatRequest,
  OpenAIChatResponse,
  OpenAIToolCall,
  OpenAIToolChoice,
  OpenAIUserContentPart,
  ParseResult,
} from '@tollgate/core';
import { anthropicRequestSchema } from '../providers/anthropic/anthropic-api';
import type {
  AnthropicContentBlock,
  AnthropicRequest,
  AnthropicResponse,
  AnthropicResponseBlock,
  AnthropicToolChoice,
} from '../providers/anthropic/anthropic-api';
import { toolCallFromToolUse } from '../providers/anthropic/convert-anthropic-response';
import { toAnthropicUsage } from '../providers/anthropic/convert-anthropic-usage';
import {
  ANTHROPIC_TOOL_CHOICE_OF,
  toolUseFromToolCall,
  withCacheControl,
} from '../providers/anthropic/convert-to-anthropic-request';
import { toAnthropicStopReason } from '../providers/anthropic/map-anthropic-finish-reason';
import { toDataUrl } from '../providers/data-url';

/** Validates a `/v1/messages` body; the error names the first offending field. */
export function parseAnthropicMessagesRequest(body: unknown): ParseResult<AnthropicRequest> {
  return toParseResult(anthropicRequestSchema.safeParse(body));
}

/**
 * Anthropic request → canonical request. Tool results become `tool` messages
 * (before the user's other content, as OpenAI requires them right after the
 * tool calls); thinking blocks, `top_k` and `thinking` have no OpenAI form and
 * are dropped. A stream always asks for usage.
 */
export function convertAnthropicMessagesRequest(request: AnthropicRequest): OpenAIChatRequest {
  const messages: OpenAIChatMessage[] = [];
  if (typeof request.system === 'string') {
    if (request.system) messages.push({ role: 'system', content: request.system });
  } else if (request.system?.length) {
    // Blocks stay blocks, so their `cache_control` reaches an Anthropic upstream.
    const blocks = request.system.map((block) =>
      withCacheControl({ type: 'text' as const, text: block.text }, block),
    );
    messages.push({ role: 'system', content: blocks });
  }
  for (const message of request.messages) {
    if (message.role === 'user') messages.push(...convertUserTurn(message.content));
    else messages.push(convertAssistantTurn(message.content));
  }
  const converted: OpenAIChatRequest = {
    model: request.model,
    messages,
    max_tokens: request.max_tokens,
  };
  if (request.temperature !== undefined) converted.temperature = request.temperature;
  if (request.top_p !== undefined) converted.top_p = request.top_p;
  if (request.stop_sequences?.length) converted.stop = request.stop_sequences;
  if (request.metadata?.user_id) converted.user = request.metadata.user_id;
  if (request.stream) {
    converted.stream = true;
    converted.stream_options = { include_usage: true };
  }
  if (request.tools?.length) {
    converted.tools = request.tools.map((tool) =>
      withCacheControl(
        {
          type: 'function' as const,
          function: {
            name: tool.name,
            ...(tool.description ? { description: tool.description } : {}),
            parameters: tool.input_schema,
          },
        },
        tool,
      ),
    );
  }
  if (request.tool_choice) {
    converted.tool_choice = convertToolChoice(request.tool_choice);
    if (request.tool_choice.disable_parallel_tool_use) converted.parallel_tool_calls = false;
  }
  return converted;
}

/** Canonical response → Anthropic message (the first choice: Anthropic has one). */
export function convertToAnthropicMessagesResponse(
  response: OpenAIChatResponse,
): AnthropicResponse {
  const choice = response.choices[0];
  const content: AnthropicResponseBlock[] = [];
  const text = choice?.message.content ?? '';
  if (text) content.push({ type: 'text', text });
  for (const call of choice?.message.tool_calls ?? []) content.push(toolUseBlockOf(call));
  return {
    id: response.id,
    type: 'message',
    role: 'assistant',
    model: response.model,
    content,
    stop_reason: toAnthropicStopReason(choice?.finish_reason),
    stop_sequence: null,
    usage: toAnthropicUsage(response.usage),
  };
}

/** A tool call as a `tool_use` block; arguments that are not a JSON object (a model's slip) become `{}`. */
export function toolUseBlockOf(call: OpenAIToolCall): AnthropicResponseBlock {
  const named = { ...call, id: anthropicToolUseId(call.id) };
  try {
    return toolUseFromToolCall(named, 'tool_calls');
  } catch (error) {
    if (!isInvalidRequestError(error)) throw error;
    return { type: 'tool_use', id: named.id, name: call.function.name, input: {} };
  }
}

/**
 * A tool call's id as Anthropic spells them (`toolu_…`): another provider's
 * `call_abc` becomes `toolu_abc`, the same every time, so a cached answer and
 * the client's next turn name the same call.
 */
export function anthropicToolUseId(id: string): string {
  if (id.startsWith('toolu_')) return id;
  return `toolu_${id.replace(/^call_/, '').replace(/[^a-zA-Z0-9_-]/g, '_')}`;
}

function convertUserTurn(content: string | AnthropicContentBlock[]): OpenAIChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const toolMessages: OpenAIChatMessage[] = [];
  const parts: OpenAIUserContentPart[] = [];
  for (const block of content) {
    switch (block.type) {
      case 'tool_result':
        toolMessages.push({
          role: 'tool',
          tool_call_id: block.tool_use_id,
          content: typeof block.content === 'string' ? block.content : contentText(block.content),
        });
        break;
      case 'text':
        parts.push(withCacheControl({ type: 'text', text: block.text }, block));
        break;
      case 'image':
        parts.push({
          type: 'image_url',
          image_url: {
            url:
              block.source.type === 'base64'
                ? toDataUrl({ mediaType: block.source.media_type, data: block.source.data })
                : block.source.url,
          },
        });
        break;
      case 'document':
        if (block.source.type !== 'base64') {
          throw new InvalidRequestError('Only base64 documents can be forwarded', {
            code: 'unsupported_parameter',
          });
        }
        parts.push({
          type: 'file',
          file: {
            file_data: toDataUrl({
              mediaType: String(block.source.media_type),
              data: String(block.source.data),
            }),
          },
        });
        break;
      default:
        // tool_use, thinking and redacted_thinking do not belong in a user turn.
        break;
    }
  }
  if (parts.length === 0) return toolMessages;
  const only = parts[0];
  const userContent =
    parts.length === 1 && only?.type === 'text' && only.cache_control === undefined
      ? only.text
      : parts;
  return [...toolMessages, { role: 'user', content: userContent }];
}

function convertAssistantTurn(content: string | AnthropicContentBlock[]): OpenAIChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  let text = '';
  const toolCalls: OpenAIToolCall[] = [];
  for (const block of content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'tool_use') toolCalls.push(toolCallFromToolUse(block));
  }
  return {
    role: 'assistant',
    content: text === '' && toolCalls.length > 0 ? null : text,
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
}

function convertToolChoice(toolChoice: AnthropicToolChoice): OpenAIToolChoice {
  if (toolChoice.type === 'tool') return { type: 'function', function: { name: toolChoice.name } };
  const entry = Object.entries(ANTHROPIC_TOOL_CHOICE_OF).find(
    ([, type]) => type === toolChoice.type,
  );
  return (entry?.[0] ?? 'auto') as OpenAIToolChoice;
}
