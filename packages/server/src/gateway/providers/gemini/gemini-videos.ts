import type {
  Deployment,
  GatewayProvider,
  OpenAIVideoRequest,
  VideoJobState,
} from '@tollgate/core';
import { requireApiKey } from '../deployment-settings';
import {
  getUpstream,
  invalidResponseError,
  joinUrl,
  parseJsonBody,
  postUpstream,
  readBodyBytes,
} from '../upstream-http';
import type { HttpTransport, UpstreamRequest } from '../upstream-http';
import { geminiErrorSpec } from './gemini-error';

type VideoMethods = Required<Pick<GatewayProvider, 'createVideo' | 'getVideo' | 'downloadVideo'>>;

/** Veo's `models/{model}:predictLongRunning` body. */
export interface VeoPredictRequest {
  instances: { prompt: string }[];
  parameters?: { durationSeconds?: number; aspectRatio?: '16:9' | '9:16'; resolution?: string };
}

/** A long-running operation (`google.longrunning.Operation`) as Veo's API returns it. */
export interface VeoOperation {
  name: string;
  done?: boolean;
  error?: { code?: number; message?: string; status?: string };
  response?: {
    generateVideoResponse?: {
      generatedSamples?: { video?: { uri?: string } }[];
      raiMediaFilteredCount?: number;
      raiMediaFilteredReasons?: string[];
    };
  };
}

/** Veo makes 8-second clips unless asked otherwise, and does not say how long a clip it made. */
export const VEO_DEFAULT_SECONDS = 8;

/**
 * Veo through the Gemini API: `:predictLongRunning` starts an operation,
 * `GET /v1beta/{operation name}` tells whether it is done, and the finished
 * operation names a file whose `:download` URL (which redirects) holds the MP4.
 */
export function geminiVideoMethods(transport: HttpTransport, baseUrl: string): VideoMethods {
  const upstreamRequest = (
    deployment: Deployment,
    path: string,
    signal: AbortSignal,
    body = '',
  ): UpstreamRequest => ({
    provider: 'gemini',
    url: /^https?:\/\//.test(path) ? path : joinUrl(deployment.baseUrl ?? baseUrl, path),
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      'x-goog-api-key': requireApiKey(deployment),
      ...deployment.headers,
    },
    body,
    signal,
    errorSpec: geminiErrorSpec,
  });

  const readOperation = async (upstream: UpstreamRequest, post: boolean) => {
    const response = await (post ? postUpstream : getUpstream)(transport, upstream);
    const json = parseJsonBody(await readBodyBytes(response, upstream), upstream, response.status);
    const operation = json as Partial<VeoOperation> | null;
    if (typeof operation !== 'object' || operation === null || typeof operation.name !== 'string') {
      throw invalidResponseError('gemini', response.status, JSON.stringify(json).slice(0, 500));
    }
    return operation as VeoOperation;
  };
  const operationPath = (name: string) => name.split('/').map(encodeURIComponent).join('/');

  return {
    async createVideo(request, { deployment, signal }) {
      const model = deployment.model.replace(/^models\//, '');
      const body = JSON.stringify(convertToVeoRequest(request));
      const path = `models/${model}:predictLongRunning`;
      const operation = await readOperation(upstreamRequest(deployment, path, signal, body), true);
      return { ...convertVeoOperation(operation), seconds: request.seconds ?? VEO_DEFAULT_SECONDS };
    },

    async getVideo(upstreamId, { deployment, signal }) {
      const upstream = upstreamRequest(deployment, operationPath(upstreamId), signal);
      return convertVeoOperation(await readOperation(upstream, false));
    },

    async downloadVideo(upstreamId, { deployment, signal }) {
      const operation = await readOperation(
        upstreamRequest(deployment, operationPath(upstreamId), signal),
        false,
      );
      const uri = operation.response?.generateVideoResponse?.generatedSamples?.[0]?.video?.uri;
      if (!operation.done || !uri) {
        throw invalidResponseError('gemini', 200, 'the operation holds no finished video');
      }
      const response = await getUpstream(transport, upstreamRequest(deployment, uri, signal));
      const length = Number(response.headers.get('content-length'));
      return {
        contentType: response.headers.get('content-type') ?? 'video/mp4',
        body: response.body,
        ...(Number.isFinite(length) && length > 0 ? { length } : {}),
      };
    },
  };
}

/** OpenAI's request as Veo's: the size becomes an aspect ratio and a resolution. */
export function convertToVeoRequest(request: OpenAIVideoRequest): VeoPredictRequest {
  const parameters: NonNullable<VeoPredictRequest['parameters']> = {};
  if (request.seconds !== undefined) parameters.durationSeconds = request.seconds;
  if (request.size) {
    const [width = 0, height = 0] = request.size.split('x').map(Number);
    parameters.aspectRatio = width >= height ? '16:9' : '9:16';
    parameters.resolution = Math.min(width, height) >= 1080 ? '1080p' : '720p';
  }
  return {
    instances: [{ prompt: request.prompt }],
    ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
  };
}

/** An operation as the job's state: running until done, then completed, or failed with its error. */
export function convertVeoOperation(operation: VeoOperation): VideoJobState {
  const base = { upstreamId: operation.name };
  if (!operation.done) return { ...base, status: 'in_progress' };
  if (operation.error) {
    return {
      ...base,
      status: 'failed',
      error: {
        code: operation.error.status ?? String(operation.error.code ?? 'error'),
        message: operation.error.message ?? 'the operation failed',
      },
    };
  }
  const result = operation.response?.generateVideoResponse;
  if (!result?.generatedSamples?.some((sample) => sample.video?.uri)) {
    const reasons = result?.raiMediaFilteredReasons ?? [];
    return {
      ...base,
      status: 'failed',
      error: {
        code: 'content_filtered',
        message: reasons.length > 0 ? reasons.join('; ') : 'the operation made no video',
      },
    };
  }
  return { ...base, status: 'completed', progress: 100 };
}
