/**
 * The canonical format inside the gateway: OpenAI Chat Completions on the wire.
 * Every provider adapter translates from and to these shapes.
 *
 * Request schemas are loose objects: fields this file does not know pass
 * through untouched (a new OpenAI parameter, vLLM's `top_k`), while the fields
 * it knows are checked strictly. `parseChatCompletionRequest` turns the first
 * problem into an `InvalidRequestError` naming the field (`messages[1].content`).
 * Responses and stream chunks come from upstreams we trust, so they are plain
 * types, never parsed by zod on the hot path.
 */
import { z } from 'zod';

const nullishString = z.string().nullish();
const penalty = z.number().min(-2).max(2).nullish();
const positiveInteger = z.number().int().min(1);

export const openAITextPartSchema = z.looseObject({ type: z.literal('text'), text: z.string() });

const imageUrlPartSchema = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({
    url: z.string().min(1),
    detail: z.enum(['auto', 'low', 'high']).optional(),
  }),
});

const inputAudioPartSchema = z.looseObject({
  type: z.literal('input_audio'),
  input_audio: z.looseObject({ data: z.string(), format: z.string() }),
});

const filePartSchema = z.looseObject({
  type: z.literal('file'),
  file: z.looseObject({
    file_data: z.string().optional(),
    file_id: z.string().optional(),
    filename: z.string().optional(),
  }),
});

const refusalPartSchema = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

const userContentPartSchema = z.discriminatedUnion('type', [
  openAITextPartSchema,
  imageUrlPartSchema,
  inputAudioPartSchema,
  filePartSchema,
]);

const textContent = z.union([z.string(), z.array(openAITextPartSchema)], {
  error: 'expected a string or an array of text parts',
});

export const openAIToolCallSchema = z.looseObject({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string() }),
});

const systemMessageSchema = z.looseObject({
  role: z.literal('system'),
  content: textContent,
  name: z.string().optional(),
});

const developerMessageSchema = z.looseObject({
  role: z.literal('developer'),
  content: textContent,
  name: z.string().optional(),
});

const userMessageSchema = z.looseObject({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(userContentPartSchema)], {
    error: 'expected a string or an array of content parts (text, image_url, input_audio, file)',
  }),
  name: z.string().optional(),
});

const assistantMessageSchema = z.looseObject({
  role: z.literal('assistant'),
  content: z
    .union(
      [
        z.string(),
        z.array(z.discriminatedUnion('type', [openAITextPartSchema, refusalPartSchema])),
      ],
      {
        error: 'expected a string, null or an array of text and refusal parts',
      },
    )
    .nullish(),
  name: z.string().optional(),
  refusal: nullishString,
  tool_calls: z.array(openAIToolCallSchema).optional(),
});

const toolMessageSchema = z.looseObject({
  role: z.literal('tool'),
  content: textContent,
  tool_call_id: z.string().min(1),
});

export const openAIChatMessageSchema = z.discriminatedUnion('role', [
  systemMessageSchema,
  developerMessageSchema,
  userMessageSchema,
  assistantMessageSchema,
  toolMessageSchema,
]);

export const openAIFunctionToolSchema = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -'),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

export const openAIToolChoiceSchema = z.union(
  [
    z.enum(['none', 'auto', 'required']),
    z.looseObject({
      type: z.literal('function'),
      function: z.looseObject({ name: z.string().min(1) }),
    }),
  ],
  { error: "expected 'none', 'auto', 'required' or { type: 'function', function: { name } }" },
);

export const openAIResponseFormatSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({
      name: z.string().min(1),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

export const openAIChatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(openAIChatMessageSchema).min(1),
  tools: z.array(openAIFunctionToolSchema).optional(),
  tool_choice: openAIToolChoiceSchema.optional(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: openAIResponseFormatSchema.optional(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: positiveInteger.nullish(),
  max_completion_tokens: positiveInteger.nullish(),
  stop: z
    .union([z.string(), z.array(z.string()).max(4)], {
      error: 'expected a string or an array of at most 4 strings',
    })
    .nullish(),
  n: positiveInteger.max(128).nullish(),
  seed: z.number().int().nullish(),
  user: nullishString,
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  presence_penalty: penalty,
  frequency_penalty: penalty,
  logprobs: z.unknown().optional(),
  top_logprobs: z.unknown().optional(),
  logit_bias: z.unknown().optional(),
});

export type OpenAITextPart = z.infer<typeof openAITextPartSchema>;
export type OpenAIUserContentPart = z.infer<typeof userContentPartSchema>;
export type OpenAIToolCall = z.infer<typeof openAIToolCallSchema>;
export type OpenAIChatMessage = z.infer<typeof openAIChatMessageSchema>;
export type OpenAISystemMessage = z.infer<typeof systemMessageSchema>;
export type OpenAIDeveloperMessage = z.infer<typeof developerMessageSchema>;
export type OpenAIUserMessage = z.infer<typeof userMessageSchema>;
export type OpenAIAssistantMessage = z.infer<typeof assistantMessageSchema>;
export type OpenAIToolMessage = z.infer<typeof toolMessageSchema>;
export type OpenAIFunctionTool = z.infer<typeof openAIFunctionToolSchema>;
export type OpenAIToolChoice = z.infer<typeof openAIToolChoiceSchema>;
export type OpenAIResponseFormat = z.infer<typeof openAIResponseFormatSchema>;
export type OpenAIChatRequest = z.infer<typeof openAIChatRequestSchema>;

export type OpenAIFinishReason =
  'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /**
   * `cached_tokens` (cache reads) are part of `prompt_tokens`; so are
   * `cache_write_5m_tokens` and `cache_write_1h_tokens`, Tollgate's own names
   * for the prompt-cache writes some providers (Anthropic) bill apart.
   */
  prompt_tokens_details?: {
    cached_tokens?: number;
    audio_tokens?: number;
    cache_write_5m_tokens?: number;
    cache_write_1h_tokens?: number;
    [key: string]: unknown;
  };
  /** `reasoning_tokens` are part of `completion_tokens`. */
  completion_tokens_details?: { reasoning_tokens?: number; [key: string]: unknown };
  [key: string]: unknown;
}

export interface OpenAIChatResponseMessage {
  role: 'assistant';
  content: string | null;
  refusal?: string | null;
  tool_calls?: OpenAIToolCall[];
  [key: string]: unknown;
}

export interface OpenAIChatChoice {
  index: number;
  message: OpenAIChatResponseMessage;
  finish_reason: OpenAIFinishReason | null;
  logprobs?: unknown;
}

export interface OpenAIChatResponse {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: OpenAIChatChoice[];
  usage?: OpenAIUsage;
  system_fingerprint?: string | null;
  [key: string]: unknown;
}

/** One tool call's piece in a stream: `index` says which call; id and name come in its first piece. */
export interface OpenAIToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface OpenAIChatChunkDelta {
  role?: 'assistant';
  content?: string | null;
  refusal?: string | null;
  tool_calls?: OpenAIToolCallDelta[];
  [key: string]: unknown;
}

export interface OpenAIChatChunkChoice {
  index: number;
  delta: OpenAIChatChunkDelta;
  finish_reason: OpenAIFinishReason | null;
  logprobs?: unknown;
}

/** A stream chunk. The last one of a stream may carry `usage` with `choices: []`. */
export interface OpenAIChatChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: OpenAIChatChunkChoice[];
  usage?: OpenAIUsage | null;
  system_fingerprint?: string | null;
  [key: string]: unknown;
}

export const openAIEmbeddingRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union(
    [
      z.string(),
      z.array(z.string()).min(1),
      z.array(z.number().int()).min(1),
      z.array(z.array(z.number().int()).min(1)).min(1),
    ],
    { error: 'expected a string, an array of strings, or token arrays' },
  ),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: positiveInteger.optional(),
  user: z.string().optional(),
});

export type OpenAIEmbeddingRequest = z.infer<typeof openAIEmbeddingRequestSchema>;

export interface OpenAIEmbedding {
  object: 'embedding';
  index: number;
  /** Floats, or base64 of little-endian float32 when `encoding_format` was 'base64'. */
  embedding: number[] | string;
}

export interface OpenAIEmbeddingResponse {
  object: 'list';
  data: OpenAIEmbedding[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
  [key: string]: unknown;
}
