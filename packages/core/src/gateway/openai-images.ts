/**
 * OpenAI's image generation API (`POST /v1/images/generations`), the wire
 * format of Tollgate's image endpoint whatever provider serves it.
 */
import { z } from 'zod';

export const openAIImageRequestSchema = z.looseObject({
  model: z.string().min(1),
  prompt: z.string().min(1).max(32_000),
  n: z.number().int().min(1).max(10).optional(),
  /** `1024x1024` and the like, or `auto` (gpt-image-1). */
  size: z
    .string()
    .regex(/^(auto|\d{2,5}x\d{2,5})$/, "expected 'auto' or WIDTHxHEIGHT, e.g. '1024x1024'")
    .optional(),
  /** `standard` / `hd` (dall-e-3), `low` / `medium` / `high` / `auto` (gpt-image-1). */
  quality: z.enum(['standard', 'hd', 'low', 'medium', 'high', 'auto']).optional(),
  response_format: z.enum(['url', 'b64_json']).optional(),
  style: z.enum(['vivid', 'natural']).optional(),
  user: z.string().optional(),
});

export type OpenAIImageRequest = z.infer<typeof openAIImageRequestSchema>;

export interface OpenAIImage {
  b64_json?: string;
  url?: string;
  revised_prompt?: string;
}

/** gpt-image-1 reports the tokens of its prompt and of the images it made. */
export interface OpenAIImageUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  input_tokens_details?: { text_tokens?: number; image_tokens?: number };
}

export interface OpenAIImageResponse {
  created: number;
  data: OpenAIImage[];
  usage?: OpenAIImageUsage;
  size?: string;
  quality?: string;
  [key: string]: unknown;
}
