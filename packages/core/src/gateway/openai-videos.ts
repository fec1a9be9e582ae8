/**
 * OpenAI's Videos API (`POST /v1/videos`, `GET /v1/videos/{id}`,
 * `GET /v1/videos/{id}/content`), the wire format of Tollgate's video
 * endpoints whatever provider serves the job (OpenAI's Sora, Gemini's Veo,
 * simulated). A video is a job: created `queued`, then `in_progress`, ending
 * `completed` or `failed`.
 */
import { z } from 'zod';

export const openAIVideoRequestSchema = z.looseObject({
  /** OpenAI's default is sora-2. */
  model: z.string().min(1).default('sora-2'),
  prompt: z.string().min(1).max(32_000),
  /** Clip length in seconds; OpenAI sends a string (`"4"`, `"8"`, `"12"`); a number is taken too. */
  seconds: z
    .union([z.string().regex(/^\d{1,3}$/, "expected whole seconds, e.g. '8'"), z.number().int()])
    .transform(Number)
    .pipe(z.number().int().min(1).max(120))
    .optional(),
  /** `1280x720` and the like. */
  size: z
    .string()
    .regex(/^\d{2,5}x\d{2,5}$/, "expected WIDTHxHEIGHT, e.g. '1280x720'")
    .optional(),
  user: z.string().optional(),
});

export type OpenAIVideoRequest = z.infer<typeof openAIVideoRequestSchema>;

export const VIDEO_STATUSES = ['queued', 'in_progress', 'completed', 'failed'] as const;
export type VideoStatus = (typeof VIDEO_STATUSES)[number];

export interface OpenAIVideoError {
  code: string;
  message: string;
}

/** OpenAI's `video` object. */
export interface OpenAIVideo {
  id: string;
  object: 'video';
  model: string;
  status: VideoStatus;
  /** 0–100. */
  progress: number;
  /** Unix seconds. */
  created_at: number;
  completed_at: number | null;
  expires_at: number | null;
  prompt: string | null;
  seconds: string;
  size: string;
  remixed_from_video_id: string | null;
  error: OpenAIVideoError | null;
  [key: string]: unknown;
}
