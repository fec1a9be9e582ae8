/**
 * Anthropic Messages API wire shapes. The request is a zod schema because
 * Tollgate's own `/v1/messages` endpoint validates incoming requests with it;
 * responses and stream events come from Anthropic and are plain types.
 */
import { z } from 'zod';

const base64Source = z.looseObject({
  type: z.literal('base64'),
  media_type: z.string(),
  data: z.string(),
});
const urlSource = z.looseObject({ type: z.literal('url'), url: z.string() });

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });
const imageBlock = z.looseObject({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [base64Source, urlSource]),
});
const documentBlock = z.looseObject({
  type: z.literal('document'),
  source: z.discriminatedUnion('type', [
    base64Source,
    urlSource,
    z.looseObject({ type: z.literal('text') }),
  ]),
});
const toolUseBlock = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.record(z.string(), z.unknown()),
});
const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z
    .union([z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock]))])
    .optional(),
  is_error: z.boolean().optional(),
});
const thinkingBlock = z.looseObject({ type: z.literal('thinking'), thinking: z.string() });
const redactedThinkingBlock = z.looseObject({ type: z.literal('redacted_thinking') });

export const anthropicContentBlockSchema = z.discriminatedUnion('type', [
  textBlock,
  imageBlock,
  documentBlock,
  toolUseBlock,
  toolResultBlock,
  thinkingBlock,
  redactedThinkingBlock,
]);

export const anthropicToolChoiceSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.enum(['auto', 'any', 'none']),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
  z.looseObject({
    type: z.literal('tool'),
    name: z.string(),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
]);

export const anthropicRequestSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().min(1),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['user', 'assistant']),
        content: z.union([z.string(), z.array(anthropicContentBlockSchema)], {
          error: 'expected a string or an array of content blocks',
        }),
      }),
    )
    .min(1),
  system: z
    .union([z.string(), z.array(textBlock)], {
      error: 'expected a string or an array of text blocks',
    })
    .optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
  tools: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        description: z.string().optional(),
        input_schema: z.record(z.string(), z.unknown()),
      }),
    )
    .optional(),
  tool_choice: anthropicToolChoiceSchema.optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
});

export type AnthropicRequest = z.infer<typeof anthropicRequestSchema>;
export type AnthropicRequestMessage = AnthropicRequest['messages'][number];
export type AnthropicContentBlock = z.infer<typeof anthropicContentBlockSchema>;
export type AnthropicTextBlock = z.infer<typeof textBlock>;
export type AnthropicImageBlock = z.infer<typeof imageBlock>;
export type AnthropicToolUseBlock = z.infer<typeof toolUseBlock>;
export type AnthropicToolResultBlock = z.infer<typeof toolResultBlock>;
export type AnthropicTool = NonNullable<AnthropicRequest['tools']>[number];
export type AnthropicToolChoice = z.infer<typeof anthropicToolChoiceSchema>;

export type AnthropicStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded';

export interface AnthropicUsage {
  /** Prompt tokens neither read from nor written to the cache. */
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  /** The cache writes by lifetime (they add up to `cache_creation_input_tokens`). */
  cache_creation?: AnthropicCacheCreation | null;
  service_tier?: string | null;
}

export interface AnthropicCacheCreation {
  ephemeral_5m_input_tokens?: number | null;
  ephemeral_1h_input_tokens?: number | null;
}

/** Blocks a response may hold; kinds Tollgate does not translate (thinking …) are skipped. */
export type AnthropicResponseBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: string; [key: string]: unknown };

export interface AnthropicResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicResponseBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

export type AnthropicStreamDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string };

export type AnthropicStreamEvent =
  | { type: 'message_start'; message: AnthropicResponse }
  | { type: 'content_block_start'; index: number; content_block: AnthropicResponseBlock }
  | { type: 'content_block_delta'; index: number; delta: AnthropicStreamDelta }
  | { type: 'content_block_stop'; index: number }
  | {
      type: 'message_delta';
      delta: { stop_reason: AnthropicStopReason | null; stop_sequence: string | null };
      usage: Partial<AnthropicUsage>;
    }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error: { type: string; message: string } };
