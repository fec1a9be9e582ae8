/**
 * Tollgate's OpenAI-compatible `/v1/responses` endpoint, the request side: an
 * incoming Responses API request → the canonical (Chat Completions) request,
 * so any deployment can serve it. Stateless: items are taken as sent;
 * `previous_response_id`, `conversation`, `item_reference` and built-in tools
 * (web search, file search...) need OpenAI's stored state or tools and are
 * refused with a clear 400.
 */
import { InvalidRequestError, toParseResult } from '@tollgate/core';
import type {
  OpenAIChatMessage,
  OpenAIChatRequest,
  OpenAIResponseFormat,
  OpenAIToolCall,
  OpenAIToolChoice,
  OpenAIUserContentPart,
  ParseResult,
} from '@tollgate/core';
import { z } from 'zod';

const contentPartSchema = z.looseObject({ type: z.string() });

const inputItemSchema = z.looseObject({
  type: z.string().optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']).optional(),
  content: z.union([z.string(), z.array(contentPartSchema)]).optional(),
});

const functionToolSchema = z.looseObject({
  type: z.string(),
  name: z.string().optional(),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(inputItemSchema)]),
  instructions: z.string().nullish(),
  tools: z.array(functionToolSchema).optional(),
  tool_choice: z
    .union([
      z.enum(['none', 'auto', 'required']),
      z.looseObject({ type: z.string(), name: z.string().optional() }),
    ])
    .optional(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z
    .looseObject({
      format: z
        .looseObject({
          type: z.enum(['text', 'json_object', 'json_schema']),
          name: z.string().optional(),
          description: z.string().optional(),
          schema: z.record(z.string(), z.unknown()).optional(),
          strict: z.boolean().nullish(),
        })
        .optional(),
    })
    .nullish(),
  max_output_tokens: z.number().int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  user: z.string().nullish(),
  stream: z.boolean().nullish(),
  reasoning: z.looseObject({ effort: z.string().nullish() }).nullish(),
  previous_response_id: z.string().nullish(),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
type InputItem = z.infer<typeof inputItemSchema>;
type ContentPart = z.infer<typeof contentPartSchema>;

/** Validates a `/v1/responses` body; the error names the first offending field. */
export function parseResponsesRequest(body: unknown): ParseResult<ResponsesRequest> {
  return toParseResult(responsesRequestSchema.safeParse(body));
}

function unsupported(message: string, param: string): InvalidRequestError {
  return new InvalidRequestError(message, { param, code: 'unsupported_parameter' });
}

/** Responses request → canonical request. A stream always asks for usage. */
export function convertResponsesRequest(request: ResponsesRequest): OpenAIChatRequest {
  if (request.previous_response_id) {
    throw unsupported(
      'previous_response_id is not supported by this gateway: it stores no responses. Send the whole conversation in `input` (with the AI SDK: providerOptions.openai.store = false).',
      'previous_response_id',
    );
  }
  if ((request as Record<string, unknown>).conversation) {
    throw unsupported(
      'conversation is not supported by this gateway: send the whole conversation in `input`.',
      'conversation',
    );
  }
  const messages: OpenAIChatMessage[] = [];
  if (request.instructions) messages.push({ role: 'system', content: request.instructions });
  if (typeof request.input === 'string') messages.push({ role: 'user', content: request.input });
  else request.input.forEach((item, index) => addInputItem(messages, item, `input[${index}]`));
  const converted: OpenAIChatRequest = { model: request.model, messages };
  if (request.max_output_tokens) converted.max_completion_tokens = request.max_output_tokens;
  if (request.temperature != null) converted.temperature = request.temperature;
  if (request.top_p != null) converted.top_p = request.top_p;
  if (request.user) converted.user = request.user;
  if (request.parallel_tool_calls != null)
    converted.parallel_tool_calls = request.parallel_tool_calls;
  if (request.reasoning?.effort) converted.reasoning_effort = request.reasoning.effort;
  if (request.tools?.length) converted.tools = request.tools.map(convertTool);
  if (request.tool_choice) converted.tool_choice = convertToolChoice(request.tool_choice);
  const format = convertFormat(request.text?.format);
  if (format) converted.response_format = format;
  if (request.stream) {
    converted.stream = true;
    converted.stream_options = { include_usage: true };
  }
  return converted;
}

function addInputItem(messages: OpenAIChatMessage[], item: InputItem, param: string): void {
  const type = item.type ?? 'message';
  const fields = item as Record<string, unknown>;
  switch (type) {
    case 'message':
      messages.push(convertMessage(item, param));
      return;
    case 'function_call': {
      const call: OpenAIToolCall = {
        id: stringField(fields, 'call_id', param),
        type: 'function',
        function: {
          name: stringField(fields, 'name', param),
          arguments: stringField(fields, 'arguments', param),
        },
      };
      const last = messages.at(-1);
      if (last?.role === 'assistant') last.tool_calls = [...(last.tool_calls ?? []), call];
      else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
      return;
    }
    case 'function_call_output': {
      const output = fields.output;
      messages.push({
        role: 'tool',
        tool_call_id: stringField(fields, 'call_id', param),
        content:
          typeof output === 'string'
            ? output
            : Array.isArray(output)
              ? textOf(output as ContentPart[])
              : JSON.stringify(output ?? ''),
      });
      return;
    }
    case 'reasoning':
      // Reasoning items carry the provider's own state; no other provider can use them.
      return;
    case 'item_reference':
      throw unsupported(
        `${param}: item_reference is not supported by this gateway: it stores no responses. Send the items themselves (with the AI SDK: providerOptions.openai.store = false).`,
        `${param}.type`,
      );
    default:
      throw unsupported(
        `${param}: input items of type '${type}' are not supported`,
        `${param}.type`,
      );
  }
}

function convertMessage(item: InputItem, param: string): OpenAIChatMessage {
  const role = item.role;
  const content = item.content ?? '';
  if (!role) throw new InvalidRequestError(`${param}.role is required`, { param: `${param}.role` });
  if (role === 'assistant') {
    if (typeof content === 'string') return { role, content };
    const refusal = content.find((part) => part.type === 'refusal');
    return {
      role,
      content: textOf(content),
      ...(typeof refusal?.refusal === 'string' ? { refusal: refusal.refusal } : {}),
    };
  }
  if (role === 'system' || role === 'developer')
    return { role, content: typeof content === 'string' ? content : textOf(content) };
  if (typeof content === 'string') return { role, content };
  return {
    role,
    content: content.map((part, index) => convertUserPart(part, `${param}.content[${index}]`)),
  };
}

function convertUserPart(part: ContentPart, param: string): OpenAIUserContentPart {
  const fields = part as Record<string, unknown>;
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      return { type: 'text', text: stringField(fields, 'text', param) };
    case 'input_image': {
      if (typeof fields.image_url !== 'string')
        throw unsupported(`${param}: only images given by image_url are supported`, param);
      const detail = fields.detail;
      return {
        type: 'image_url',
        image_url: {
          url: fields.image_url,
          ...(detail === 'low' || detail === 'high' || detail === 'auto' ? { detail } : {}),
        },
      };
    }
    case 'input_file':
      return {
        type: 'file',
        file: {
          ...(typeof fields.file_data === 'string' ? { file_data: fields.file_data } : {}),
          ...(typeof fields.file_id === 'string' ? { file_id: fields.file_id } : {}),
          ...(typeof fields.filename === 'string' ? { filename: fields.filename } : {}),
        },
      };
    default:
      throw unsupported(`${param}: content parts of type '${part.type}' are not supported`, param);
  }
}

function textOf(parts: ContentPart[]): string {
  return parts.map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
}

function stringField(fields: Record<string, unknown>, name: string, param: string): string {
  const value = fields[name];
  if (typeof value !== 'string')
    throw new InvalidRequestError(`${param}.${name} must be a string`, {
      param: `${param}.${name}`,
    });
  return value;
}

function convertTool(
  tool: z.infer<typeof functionToolSchema>,
  index: number,
): NonNullable<OpenAIChatRequest['tools']>[number] {
  if (tool.type !== 'function' || !tool.name) {
    throw unsupported(
      `tools[${index}]: only function tools are supported (built-in tools such as '${tool.type}' run on OpenAI's side)`,
      `tools[${index}].type`,
    );
  }
  return {
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      ...(tool.parameters ? { parameters: tool.parameters } : {}),
      ...(tool.strict != null ? { strict: tool.strict } : {}),
    },
  };
}

function convertToolChoice(
  toolChoice: NonNullable<ResponsesRequest['tool_choice']>,
): OpenAIToolChoice {
  if (typeof toolChoice === 'string') return toolChoice;
  if (toolChoice.type === 'function' && toolChoice.name)
    return { type: 'function', function: { name: toolChoice.name } };
  throw unsupported(`tool_choice of type '${toolChoice.type}' is not supported`, 'tool_choice');
}

function convertFormat(
  format: NonNullable<ResponsesRequest['text']>['format'],
): OpenAIResponseFormat | undefined {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  return {
    type: 'json_schema',
    json_schema: {
      name: format.name ?? 'response',
      ...(format.description ? { description: format.description } : {}),
      ...(format.schema ? { schema: format.schema } : {}),
      ...(format.strict != null ? { strict: format.strict } : {}),
    },
  };
}
