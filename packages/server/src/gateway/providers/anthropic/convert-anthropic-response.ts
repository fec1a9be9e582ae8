import type { OpenAIChatResponse, OpenAIToolCall } from '@tollgate/core';
import type { AnthropicResponse } from './anthropic-api';
import { convertAnthropicUsage } from './convert-anthropic-usage';
import { mapAnthropicStopReason } from './map-anthropic-finish-reason';

export interface AnthropicResponseOptions {
  /** Unix seconds for `created`: Anthropic does not say when. */
  created: number;
  /** The forced tool standing for a JSON response format, whose input is the content. */
  jsonResponseTool: string | undefined;
}

export function convertAnthropicResponse(
  response: AnthropicResponse,
  options: AnthropicResponseOptions,
): OpenAIChatResponse {
  let text = '';
  let jsonAnswer = false;
  const toolCalls: OpenAIToolCall[] = [];
  for (const block of response.content) {
    if (block.type === 'text') {
      text += (block as { text: string }).text;
    } else if (block.type === 'tool_use') {
      const call = toolCallFromToolUse(block as { id: string; name: string; input: unknown });
      if (call.function.name === options.jsonResponseTool) {
        text += call.function.arguments;
        jsonAnswer = true;
      } else {
        toolCalls.push(call);
      }
    }
    // thinking, redacted_thinking and server tool blocks have no OpenAI counterpart.
  }
  const finishReason =
    jsonAnswer && response.stop_reason === 'tool_use'
      ? 'stop'
      : mapAnthropicStopReason(response.stop_reason);
  return {
    id: response.id,
    object: 'chat.completion',
    created: options.created,
    model: response.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text === '' && toolCalls.length > 0 ? null : text,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finishReason,
      },
    ],
    usage: convertAnthropicUsage(response.usage),
  };
}

/** An Anthropic `tool_use` block → OpenAI tool call (arguments as a JSON string). */
export function toolCallFromToolUse(block: {
  id: string;
  name: string;
  input: unknown;
}): OpenAIToolCall {
  return {
    id: block.id,
    type: 'function',
    function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
  };
}
