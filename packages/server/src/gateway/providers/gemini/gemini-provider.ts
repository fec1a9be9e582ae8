import { InvalidRequestError } from '@tollgate/core';
import type {
  Deployment,
  GatewayProvider,
  OpenAIEmbeddingRequest,
  StreamUsageReport,
} from '@tollgate/core';
import { loadTokenCounter } from '../../../tokens/token-counter';
import { requireApiKey } from '../deployment-settings';
import { encodeEmbedding } from '../embedding-encoding';
import {
  invalidResponseError,
  joinUrl,
  parseJsonBody,
  postUpstream,
  readBodyBytes,
  readSseEvents,
} from '../upstream-http';
import type { HttpTransport, UpstreamRequest } from '../upstream-http';
import type {
  GeminiBatchEmbedRequest,
  GeminiBatchEmbedResponse,
  GeminiResponse,
} from './gemini-api';
import { geminiErrorSpec } from './gemini-error';
import { geminiVideoMethods } from './gemini-videos';
import { convertGeminiStream } from './gemini-stream';
import { convertGeminiResponse } from './convert-gemini-response';
import { convertToGeminiRequest } from './convert-to-gemini-request';
import { convertGeminiImageResponse, convertImagenResponse } from './convert-gemini-image-response';
import {
  convertToGeminiImageRequest,
  convertToImagenRequest,
  isImagenModel,
} from './convert-to-gemini-image-request';

/** Like Google's SDK, the base URL includes the API version. */
export const GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';

type GeminiMethod =
  'generateContent' | 'streamGenerateContent?alt=sse' | 'batchEmbedContents' | 'predict';

/** Gemini API (Google AI Studio keys), authenticated by an `x-goog-api-key` header. */
export function createGeminiProvider(transport: HttpTransport): GatewayProvider {
  const upstreamRequest = (
    deployment: Deployment,
    method: GeminiMethod,
    body: unknown,
    signal: AbortSignal,
  ): UpstreamRequest => ({
    provider: 'gemini',
    url: joinUrl(deployment.baseUrl ?? GEMINI_BASE_URL, `models/${modelId(deployment)}:${method}`),
    headers: {
      'content-type': 'application/json',
      'x-goog-api-key': requireApiKey(deployment),
      ...deployment.headers,
    },
    body: JSON.stringify(body),
    signal,
    errorSpec: geminiErrorSpec,
  });
  const responseOptions = (deployment: Deployment) => ({
    created: Math.floor(transport.now() / 1000),
    model: modelId(deployment),
  });

  return {
    name: 'gemini',
    ...geminiVideoMethods(transport, GEMINI_BASE_URL),

    async chat(request, { deployment, signal }) {
      const upstream = upstreamRequest(
        deployment,
        'generateContent',
        convertToGeminiRequest(request),
        signal,
      );
      const response = await postUpstream(transport, upstream);
      const json = parseJsonBody(
        await readBodyBytes(response, upstream),
        upstream,
        response.status,
      );
      if (typeof json !== 'object' || json === null) {
        throw invalidResponseError('gemini', response.status, String(json));
      }
      return {
        response: convertGeminiResponse(json as GeminiResponse, responseOptions(deployment)),
      };
    },

    async streamChat(request, { deployment, signal }) {
      const method = 'streamGenerateContent?alt=sse';
      const upstream = upstreamRequest(deployment, method, convertToGeminiRequest(request), signal);
      const response = await postUpstream(transport, upstream);
      const reported: StreamUsageReport = {};
      return {
        chunks: convertGeminiStream(
          readSseEvents(response, upstream),
          responseOptions(deployment),
          reported,
        ),
        reported,
      };
    },

    async embed(request, { deployment, signal }) {
      const texts = embeddingTexts(request.input);
      const model = `models/${modelId(deployment)}`;
      const body: GeminiBatchEmbedRequest = {
        requests: texts.map((text) => ({
          model,
          content: { parts: [{ text }] },
          ...(request.dimensions ? { outputDimensionality: request.dimensions } : {}),
        })),
      };
      const upstream = upstreamRequest(deployment, 'batchEmbedContents', body, signal);
      const response = await postUpstream(transport, upstream);
      const json = parseJsonBody(
        await readBodyBytes(response, upstream),
        upstream,
        response.status,
      );
      const embeddings = (json as Partial<GeminiBatchEmbedResponse> | null)?.embeddings;
      if (!Array.isArray(embeddings)) {
        throw invalidResponseError('gemini', response.status, JSON.stringify(json).slice(0, 500));
      }
      // Gemini reports no token counts for embeddings: count them here.
      const promptTokens = (await loadTokenCounter()).countEmbeddingInput(texts);
      return {
        object: 'list',
        data: embeddings.map((embedding, index) => ({
          object: 'embedding',
          index,
          embedding: encodeEmbedding(embedding.values, request.encoding_format),
        })),
        model: modelId(deployment),
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      };
    },

    async generateImages(request, { deployment, signal }) {
      const imagen = isImagenModel(deployment.model);
      const upstream = imagen
        ? upstreamRequest(deployment, 'predict', convertToImagenRequest(request), signal)
        : upstreamRequest(
            deployment,
            'generateContent',
            convertToGeminiImageRequest(request),
            signal,
          );
      const response = await postUpstream(transport, upstream);
      const json = parseJsonBody(
        await readBodyBytes(response, upstream),
        upstream,
        response.status,
      );
      const created = Math.floor(transport.now() / 1000);
      return imagen
        ? convertImagenResponse(json, response.status, created)
        : convertGeminiImageResponse(json, response.status, created);
    },
  };
}

/** `models/gemini-2.5-flash` and `gemini-2.5-flash` both name the same model. */
function modelId(deployment: Deployment): string {
  return deployment.model.replace(/^models\//, '');
}

function embeddingTexts(input: OpenAIEmbeddingRequest['input']): string[] {
  if (typeof input === 'string') return [input];
  if (input.every((item): item is string => typeof item === 'string')) return input;
  throw new InvalidRequestError('Gemini embeds text only, not token arrays', {
    param: 'input',
    code: 'unsupported_parameter',
  });
}
