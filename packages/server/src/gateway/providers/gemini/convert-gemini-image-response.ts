import type { ImageResult, OpenAIImage } from '@tollgate/core';
import { invalidResponseError } from '../upstream-http';
import { convertGeminiUsage } from './convert-gemini-usage';
import type { GeminiResponse, ImagenPredictResponse } from './gemini-api';

/** Imagen's predictions (base64 images) → OpenAI's `b64_json` images. Imagen reports no tokens. */
export function convertImagenResponse(json: unknown, status: number, created: number): ImageResult {
  const predictions = (json as Partial<ImagenPredictResponse> | null)?.predictions;
  if (!Array.isArray(predictions)) {
    throw invalidResponseError('gemini', status, JSON.stringify(json).slice(0, 500));
  }
  const data: OpenAIImage[] = predictions
    .filter((prediction) => typeof prediction.bytesBase64Encoded === 'string')
    .map((prediction) => ({ b64_json: prediction.bytesBase64Encoded }));
  return { response: { created, data } };
}

/**
 * A Gemini image model's answer → OpenAI's `b64_json` images: every inline
 * image of every candidate; its text, if any, as the revised prompt. The
 * usage (image output is billed as output tokens) comes along.
 */
export function convertGeminiImageResponse(
  json: unknown,
  status: number,
  created: number,
): ImageResult {
  const response = json as GeminiResponse | null;
  if (typeof response !== 'object' || response === null || !Array.isArray(response.candidates)) {
    throw invalidResponseError('gemini', status, JSON.stringify(json).slice(0, 500));
  }
  const data: OpenAIImage[] = [];
  for (const candidate of response.candidates) {
    let text = '';
    for (const part of candidate.content?.parts ?? []) {
      if ('text' in part && !part.thought) text += part.text;
      if ('inlineData' in part && part.inlineData.mimeType.startsWith('image/')) {
        data.push({ b64_json: part.inlineData.data });
      }
    }
    const last = data.at(-1);
    if (text && last && last.revised_prompt === undefined) last.revised_prompt = text;
  }
  return {
    response: { created, data },
    ...(response.usageMetadata && { usage: convertGeminiUsage(response.usageMetadata) }),
  };
}
