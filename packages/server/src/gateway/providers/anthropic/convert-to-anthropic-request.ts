import { InvalidRequestError, contentText, maxOutputTokens } from '@tollgate/core';
import type {
  OpenAIChatRequest,
  OpenAIToolCall,
  OpenAIToolChoice,
  OpenAIUserContentPart,
} from '@tollgate/core';
import { parseDataUrl } from '../data-url';
import type {
  AnthropicContentBlock,
  AnthropicRequest,
  AnthropicRequestMessage,
  AnthropicTextBlock,
  AnthropicToolChoice,
  AnthropicToolUseBlock,
} from './anthropic-api';

/** Anthropic requires `max_tokens`; used when neither the client nor the deployment set one. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/**
 * Anthropic has no JSON mode: a `json_schema` response format becomes a tool
 * the model is made to call, and its input becomes the message content again.
 */
export const JSON_RESPONSE_TOOL = 'json_response';

/** One table for both directions: OpenAI `tool_choice` string → Anthropic `tool_choice.type`. */
export const ANTHROPIC_TOOL_CHOICE_OF = { auto: 'auto', required: 'any', none: 'none' } as const;

export interface AnthropicRequestOptions {
  model: string;
  stream: boolean;
  defaultMaxTokens: number;
}

export interface ConvertedAnthropicRequest {
  body: AnthropicRequest;
  /** Set when the response format became a forced tool: its tool_use is the answer's content. */
  jsonResponseTool: string | undefined;
}

export function convertToAnthropicRequest(
  request: OpenAIChatRequest,
  options: AnthropicRequestOptions,
): ConvertedAnthropicRequest {
  if (request.n != null && request.n > 1) {
    throw new InvalidRequestError('Anthropic returns one choice per request: n must be 1', {
      param: 'n',
      code: 'unsupported_parameter',
    });
  }
  const system: AnthropicTextBlock[] = [];
  const messages: AnthropicRequestMessage[] = [];
  request.messages.forEach((message, index) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        if (typeof message.content === 'string')
          system.push({ type: 'text', text: message.content });
        else
          for (const part of message.content)
            system.push(withCacheControl({ type: 'text', text: part.text }, part));
        return;
      case 'user':
        appendMessage(
          messages,
          'user',
          typeof message.content === 'string'
            ? message.content
            : message.content.map((part, partIndex) =>
                convertUserPart(part, `messages[${index}].content[${partIndex}]`),
              ),
        );
        return;
      case 'assistant': {
        const blocks: AnthropicContentBlock[] = [];
        const text = contentText(message.content);
        if (text) blocks.push({ type: 'text', text });
        message.tool_calls?.forEach((call, callIndex) => {
          blocks.push(
            toolUseFromToolCall(
              call,
              `messages[${index}].tool_calls[${callIndex}].function.arguments`,
            ),
          );
        });
        if (blocks.length > 0) appendMessage(messages, 'assistant', blocks);
        return;
      }
      case 'tool':
        appendMessage(messages, 'user', [
          {
            type: 'tool_result',
            tool_use_id: message.tool_call_id,
            content: contentText(message.content),
          },
        ]);
        return;
      default: {
        const unexpected: never = message;
        throw new InvalidRequestError(`Unsupported message role in ${JSON.stringify(unexpected)}`);
      }
    }
  });

  const body: AnthropicRequest = {
    model: options.model,
    max_tokens: maxOutputTokens(request) ?? options.defaultMaxTokens,
    messages,
  };
  if (system.length > 0) {
    // A plain string unless a block asks for prompt caching.
    body.system = system.some((block) => block.cache_control !== undefined)
      ? system
      : system.map((block) => block.text).join('\n\n');
  }
  if (request.temperature != null) body.temperature = request.temperature;
  if (request.top_p != null) body.top_p = request.top_p;
  if (typeof request.top_k === 'number') body.top_k = request.top_k;
  if (request.thinking !== undefined) body.thinking = request.thinking;
  if (request.stop != null)
    body.stop_sequences = typeof request.stop === 'string' ? [request.stop] : request.stop;
  if (request.user) body.metadata = { user_id: request.user };
  if (options.stream) body.stream = true;

  let jsonResponseTool: string | undefined;
  if (request.tools?.length) {
    body.tools = request.tools.map((tool) =>
      withCacheControl(
        {
          name: tool.function.name,
          ...(tool.function.description ? { description: tool.function.description } : {}),
          input_schema: tool.function.parameters ?? { type: 'object', properties: {} },
        },
        tool,
      ),
    );
    const toolChoice = convertToAnthropicToolChoice(
      request.tool_choice,
      request.parallel_tool_calls,
    );
    if (toolChoice) body.tool_choice = toolChoice;
  } else if (request.response_format?.type === 'json_schema') {
    const { json_schema: format } = request.response_format;
    jsonResponseTool = JSON_RESPONSE_TOOL;
    body.tools = [
      {
        name: JSON_RESPONSE_TOOL,
        description: format.description ?? `Respond with a JSON object (${format.name}).`,
        input_schema: format.schema ?? { type: 'object' },
      },
    ];
    body.tool_choice = { type: 'tool', name: JSON_RESPONSE_TOOL };
  }
  return { body, jsonResponseTool };
}

export function convertToAnthropicToolChoice(
  toolChoice: OpenAIToolChoice | undefined,
  parallelToolCalls: boolean | null | undefined,
): AnthropicToolChoice | undefined {
  const disableParallel = parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  if (toolChoice === undefined)
    return parallelToolCalls === false ? { type: 'auto', ...disableParallel } : undefined;
  if (typeof toolChoice === 'string') {
    const type = ANTHROPIC_TOOL_CHOICE_OF[toolChoice];
    return type === 'none' ? { type } : { type, ...disableParallel };
  }
  return { type: 'tool', name: toolChoice.function.name, ...disableParallel };
}

/** An OpenAI tool call → Anthropic `tool_use` block; `param` names the arguments for the error. */
export function toolUseFromToolCall(call: OpenAIToolCall, param: string): AnthropicToolUseBlock {
  let input: unknown;
  try {
    input = call.function.arguments.trim() === '' ? {} : JSON.parse(call.function.arguments);
  } catch {
    input = undefined;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidRequestError('Tool call arguments must be a JSON object', {
      param,
      code: 'invalid_value',
    });
  }
  return {
    type: 'tool_use',
    id: call.id,
    name: call.function.name,
    input: input as Record<string, unknown>,
  };
}

function convertUserPart(part: OpenAIUserContentPart, param: string): AnthropicContentBlock {
  switch (part.type) {
    case 'text':
      return withCacheControl({ type: 'text', text: part.text }, part);
    case 'image_url': {
      const inline = parseDataUrl(part.image_url.url);
      return {
        type: 'image',
        source: inline
          ? { type: 'base64', media_type: inline.mediaType, data: inline.data }
          : { type: 'url', url: part.image_url.url },
      };
    }
    case 'file': {
      const inline = part.file.file_data ? parseDataUrl(part.file.file_data) : undefined;
      if (!inline) {
        throw new InvalidRequestError('Anthropic takes files as base64 data URLs in file_data', {
          param,
          code: 'unsupported_parameter',
        });
      }
      return {
        type: 'document',
        source: { type: 'base64', media_type: inline.mediaType, data: inline.data },
      };
    }
    case 'input_audio':
      throw new InvalidRequestError('Anthropic does not accept audio input', {
        param,
        code: 'unsupported_parameter',
      });
    default: {
      const unexpected: never = part;
      throw new InvalidRequestError(`Unsupported content part ${JSON.stringify(unexpected)}`, {
        param,
      });
    }
  }
}

/**
 * Carries Anthropic's prompt-caching marker across: clients of Tollgate's
 * `/v1/messages` put `cache_control` on blocks and tools, and the canonical
 * (loose) parts keep it.
 */
export function withCacheControl<T extends object>(
  target: T,
  source: Readonly<Record<string, unknown>>,
): T {
  return source.cache_control === undefined
    ? target
    : { ...target, cache_control: source.cache_control };
}

/** Appends a turn, merging it into the previous one of the same role (tool results then user text). */
function appendMessage(
  messages: AnthropicRequestMessage[],
  role: 'user' | 'assistant',
  content: string | AnthropicContentBlock[],
): void {
  const previous = messages.at(-1);
  if (previous?.role !== role) {
    messages.push({ role, content });
    return;
  }
  previous.content = [...asBlocks(previous.content), ...asBlocks(content)];
}

function asBlocks(content: string | AnthropicContentBlock[]): AnthropicContentBlock[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}
