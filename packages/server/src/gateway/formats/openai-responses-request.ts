/**
 * Tollgate's OpenAI-compatible `/v1/responses` endpoint, the request side: an
 * incoming Responses API request → the canonical (Chat Completions) request,
 * so any deployment can serve it. `previous_response_id` and `item_reference`
 * items are resolved from the answers the gateway keeps (see
 * `StoredResponses`) before the conversion; `conversation` and built-in tools
 * (web search, file search...) need OpenAI's own state or tools and are
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
  store: z.boolean().nullish(),
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

/** What the gateway kept of earlier answers that this request refers to. */
export interface ResponsesReferences {
  /** The conversation of `previous_response_id`, without its instructions. */
  previous?: OpenAIChatMessage[];
  /** Earlier output items by id, for `item_reference` items. */
  items: ReadonlyMap<string, Record<string, unknown>>;
}

/** The ids of the `item_reference` items of a request. */
export function referencedItemIds(request: ResponsesRequest): string[] {
  if (typeof request.input === 'string') return [];
  return request.input.flatMap((item) =>
    item.type === 'item_reference' && typeof item.id === 'string' ? [item.id] : [],
  );
}

/**
 * Responses request → canonical request: the instructions, the previous
 * response's conversation, then the input. A stream always asks for usage.
 */
export function convertResponsesRequest(
  request: ResponsesRequest,
  references: ResponsesReferences = { items: new Map() },
): OpenAIChatRequest {
  if ((request as Record<string, unknown>).conversation) {
    throw unsupported(
      'conversation is not supported by this gateway: send the whole conversation in `input`.',
      'conversation',
    );
  }
  const messages: OpenAIChatMessage[] = [];
  if (request.instructions) messages.push({ role: 'system', content: request.instructions });
  messages.push(...(references.previous ?? []));
  if (typeof request.input === 'string') messages.push({ role: 'user', content: request.input });
  else {
    request.input.forEach((item, index) => {
      const param = `input[${index}]`;
      if (item.type !== 'item_reference') return addInputItem(messages, item, param);
      const found = typeof item.id === 'string' ? references.items.get(item.id) : undefined;
      if (!found) {
        throw new InvalidRequestError(
          `${param}: item '${String(item.id)}' was not found: the gateway keeps answered items for an hour, unless the request said store: false`,
          { param: `${param}.id`, code: 'item_not_found' },
        );
      }
      addInputItem(messages, found as InputItem, param);
    });
  }
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

/** Output items of an answer as the canonical assistant turn that continues a conversation. */
export function messagesOfItems(
  items: ReadonlyArray<Record<string, unknown>>,
): OpenAIChatMessage[] {
  const messages: OpenAIChatMessage[] = [];
  items.forEach((item, index) => addInputItem(messages, item as InputItem, `output[${index}]`));
  return messages;
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
