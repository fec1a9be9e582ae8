import { InvalidRequestError, contentText, maxOutputTokens } from '@tollgate/core';
import type { OpenAIChatRequest, OpenAIToolChoice, OpenAIUserContentPart } from '@tollgate/core';
import { parseDataUrl } from '../data-url';
import type { GeminiContent, GeminiPart, GeminiRequest } from './gemini-api';

/** OpenAI `tool_choice` string → Gemini function-calling mode. */
const FUNCTION_CALLING_MODE_OF = { auto: 'AUTO', required: 'ANY', none: 'NONE' } as const;

export function convertToGeminiRequest(request: OpenAIChatRequest): GeminiRequest {
  const system: string[] = [];
  const contents: GeminiContent[] = [];
  /** Gemini answers a function by name; OpenAI by call id. */
  const functionNameOfCall = new Map<string, string>();

  request.messages.forEach((message, index) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(contentText(message.content));
        return;
      case 'user':
        appendContent(
          contents,
          'user',
          typeof message.content === 'string'
            ? [{ text: message.content }]
            : message.content.map((part, partIndex) =>
                convertUserPart(part, `messages[${index}].content[${partIndex}]`),
              ),
        );
        return;
      case 'assistant': {
        const parts: GeminiPart[] = [];
        const text = contentText(message.content);
        if (text) parts.push({ text });
        message.tool_calls?.forEach((call, callIndex) => {
          functionNameOfCall.set(call.id, call.function.name);
          parts.push({
            functionCall: {
              name: call.function.name,
              args: parseArguments(
                call.function.arguments,
                `messages[${index}].tool_calls[${callIndex}].function.arguments`,
              ),
            },
          });
        });
        if (parts.length > 0) appendContent(contents, 'model', parts);
        return;
      }
      case 'tool': {
        const name = functionNameOfCall.get(message.tool_call_id);
        if (name === undefined) {
          throw new InvalidRequestError(
            `No earlier assistant tool call has the id '${message.tool_call_id}'`,
            {
              param: `messages[${index}].tool_call_id`,
              code: 'invalid_value',
            },
          );
        }
        appendContent(contents, 'user', [
          { functionResponse: { name, response: functionResponse(contentText(message.content)) } },
        ]);
        return;
      }
      default: {
        const unexpected: never = message;
        throw new InvalidRequestError(`Unsupported message ${JSON.stringify(unexpected)}`);
      }
    }
  });

  const body: GeminiRequest = { contents };
  if (system.length > 0) body.systemInstruction = { parts: [{ text: system.join('\n\n') }] };
  if (request.tools?.length) {
    body.tools = [
      {
        functionDeclarations: request.tools.map(({ function: tool }) => ({
          name: tool.name,
          ...(tool.description ? { description: tool.description } : {}),
          ...(tool.parameters ? { parametersJsonSchema: tool.parameters } : {}),
        })),
      },
    ];
    if (request.tool_choice !== undefined)
      body.toolConfig = { functionCallingConfig: functionCallingConfig(request.tool_choice) };
  }
  const generationConfig: NonNullable<GeminiRequest['generationConfig']> = {};
  if (request.temperature != null) generationConfig.temperature = request.temperature;
  if (request.top_p != null) generationConfig.topP = request.top_p;
  if (typeof request.top_k === 'number') generationConfig.topK = request.top_k;
  const maxTokens = maxOutputTokens(request);
  if (maxTokens !== undefined) generationConfig.maxOutputTokens = maxTokens;
  if (request.stop != null)
    generationConfig.stopSequences =
      typeof request.stop === 'string' ? [request.stop] : request.stop;
  if (request.n != null) generationConfig.candidateCount = request.n;
  if (request.seed != null) generationConfig.seed = request.seed;
  if (request.presence_penalty != null) generationConfig.presencePenalty = request.presence_penalty;
  if (request.frequency_penalty != null)
    generationConfig.frequencyPenalty = request.frequency_penalty;
  if (request.response_format?.type === 'json_object')
    generationConfig.responseMimeType = 'application/json';
  if (request.response_format?.type === 'json_schema') {
    generationConfig.responseMimeType = 'application/json';
    if (request.response_format.json_schema.schema) {
      generationConfig.responseJsonSchema = request.response_format.json_schema.schema;
    }
  }
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  return body;
}

function functionCallingConfig(
  toolChoice: OpenAIToolChoice,
): NonNullable<GeminiRequest['toolConfig']>['functionCallingConfig'] {
  if (typeof toolChoice === 'string') return { mode: FUNCTION_CALLING_MODE_OF[toolChoice] };
  return { mode: 'ANY', allowedFunctionNames: [toolChoice.function.name] };
}

function convertUserPart(part: OpenAIUserContentPart, param: string): GeminiPart {
  switch (part.type) {
    case 'text':
      return { text: part.text };
    case 'image_url': {
      const inline = parseDataUrl(part.image_url.url);
      return inline
        ? { inlineData: { mimeType: inline.mediaType, data: inline.data } }
        : {
            fileData: { mimeType: mimeTypeOfUrl(part.image_url.url), fileUri: part.image_url.url },
          };
    }
    case 'input_audio':
      return {
        inlineData: { mimeType: `audio/${part.input_audio.format}`, data: part.input_audio.data },
      };
    case 'file': {
      const inline = part.file.file_data ? parseDataUrl(part.file.file_data) : undefined;
      if (!inline) {
        throw new InvalidRequestError('Gemini takes files as base64 data URLs in file_data', {
          param,
          code: 'unsupported_parameter',
        });
      }
      return { inlineData: { mimeType: inline.mediaType, data: inline.data } };
    }
    default: {
      const unexpected: never = part;
      throw new InvalidRequestError(`Unsupported content part ${JSON.stringify(unexpected)}`, {
        param,
      });
    }
  }
}

const MIME_TYPE_OF_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  pdf: 'application/pdf',
};

function mimeTypeOfUrl(url: string): string {
  const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  return (extension && MIME_TYPE_OF_EXTENSION[extension]) || 'image/jpeg';
}

function parseArguments(text: string, param: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRequestError('Tool call arguments must be a JSON object', {
      param,
      code: 'invalid_value',
    });
  }
  return value as Record<string, unknown>;
}

/** A tool result that is a JSON object goes as is; anything else is wrapped as `{ content }`. */
function functionResponse(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // Plain text.
  }
  return { content: text };
}

/** Appends a turn, merging it into the previous one of the same role (parallel function responses). */
function appendContent(
  contents: GeminiContent[],
  role: GeminiContent['role'],
  parts: GeminiPart[],
): void {
  const previous = contents.at(-1);
  if (previous?.role === role) previous.parts.push(...parts);
  else contents.push({ role, parts });
}
