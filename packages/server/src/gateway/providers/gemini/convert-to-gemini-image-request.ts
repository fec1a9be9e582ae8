import type { OpenAIImageRequest } from '@tollgate/core';
import type { GeminiImageGenerateRequest, ImagenPredictRequest } from './gemini-api';

/** Imagen's aspect ratios; Gemini's image models take these and a few more. */
const IMAGEN_ASPECT_RATIOS = ['1:1', '3:4', '4:3', '9:16', '16:9'] as const;
const GEMINI_IMAGE_ASPECT_RATIOS = [
  ...IMAGEN_ASPECT_RATIOS,
  '2:3',
  '3:2',
  '4:5',
  '5:4',
  '21:9',
] as const;

/** Imagen models (`imagen-4.0-generate-001` …) answer `:predict`; Gemini image models `generateContent`. */
export function isImagenModel(model: string): boolean {
  return /^(models\/)?imagen-/.test(model);
}

/** An OpenAI image request → Imagen's `:predict` body (`n` images, the size's aspect ratio). */
export function convertToImagenRequest(request: OpenAIImageRequest): ImagenPredictRequest {
  const aspectRatio = aspectRatioOf(request.size, IMAGEN_ASPECT_RATIOS);
  return {
    instances: [{ prompt: request.prompt }],
    parameters: { sampleCount: request.n ?? 1, ...(aspectRatio && { aspectRatio }) },
  };
}

/** An OpenAI image request → a `generateContent` body asking a Gemini image model for an image. */
export function convertToGeminiImageRequest(
  request: OpenAIImageRequest,
): GeminiImageGenerateRequest {
  const aspectRatio = aspectRatioOf(request.size, GEMINI_IMAGE_ASPECT_RATIOS);
  return {
    contents: [{ role: 'user', parts: [{ text: request.prompt }] }],
    generationConfig: {
      responseModalities: ['IMAGE'],
      ...(request.n && request.n > 1 && { candidateCount: request.n }),
      ...(aspectRatio && { imageConfig: { aspectRatio } }),
    },
  };
}

/** OpenAI's `WIDTHxHEIGHT` → the nearest aspect ratio the model takes; none for `auto` or no size. */
export function aspectRatioOf(
  size: string | undefined,
  supported: readonly string[],
): string | undefined {
  const match = /^(\d+)x(\d+)$/.exec(size ?? '');
  if (!match) return undefined;
  const wanted = Number(match[1]) / Number(match[2]);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const ratio of supported) {
    const [width, height] = ratio.split(':').map(Number) as [number, number];
    const distance = Math.abs(Math.log(width / height / wanted));
    if (distance < bestDistance) {
      best = ratio;
      bestDistance = distance;
    }
  }
  return best;
}
