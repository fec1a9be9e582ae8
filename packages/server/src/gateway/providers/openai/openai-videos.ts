import { VIDEO_STATUSES } from '@tollgate/core';
import type {
  Deployment,
  GatewayProvider,
  OpenAIVideo,
  OpenAIVideoRequest,
  VideoJobState,
  VideoStatus,
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
import { openAIErrorSpec } from './openai-error';

type VideoMethods = Required<Pick<GatewayProvider, 'createVideo' | 'getVideo' | 'downloadVideo'>>;

/**
 * OpenAI's Videos API (Sora): `POST /videos` starts a job, `GET /videos/{id}`
 * tells its state, `GET /videos/{id}/content` streams the MP4. The request
 * goes out as JSON (the API takes JSON when there is no reference image).
 */
export function openAIVideoMethods(transport: HttpTransport, baseUrl: string): VideoMethods {
  const upstreamRequest = (
    deployment: Deployment,
    path: string,
    signal: AbortSignal,
    body = '',
  ): UpstreamRequest => ({
    provider: 'openai',
    url: joinUrl(deployment.baseUrl ?? baseUrl, path),
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      authorization: `Bearer ${requireApiKey(deployment)}`,
      ...deployment.headers,
    },
    body,
    signal,
    errorSpec: openAIErrorSpec,
  });

  const readVideo = async (upstream: UpstreamRequest, post: boolean) => {
    const response = await (post ? postUpstream : getUpstream)(transport, upstream);
    const json = parseJsonBody(await readBodyBytes(response, upstream), upstream, response.status);
    return convertOpenAIVideo(json, response.status);
  };

  return {
    async createVideo(request, { deployment, signal }) {
      const body = JSON.stringify(convertToOpenAIVideoRequest(request, deployment.model));
      return readVideo(upstreamRequest(deployment, 'videos', signal, body), true);
    },

    async getVideo(upstreamId, { deployment, signal }) {
      const path = `videos/${encodeURIComponent(upstreamId)}`;
      return readVideo(upstreamRequest(deployment, path, signal), false);
    },

    async downloadVideo(upstreamId, { deployment, signal }) {
      const path = `videos/${encodeURIComponent(upstreamId)}/content`;
      const response = await getUpstream(transport, upstreamRequest(deployment, path, signal));
      const length = Number(response.headers.get('content-length'));
      return {
        contentType: response.headers.get('content-type') ?? 'video/mp4',
        body: response.body,
        ...(Number.isFinite(length) && length > 0 ? { length } : {}),
      };
    },
  };
}

/** The body OpenAI takes: its fields as the client sent them, `seconds` as the string it expects. */
export function convertToOpenAIVideoRequest(
  request: OpenAIVideoRequest,
  model: string,
): Record<string, unknown> {
  const { seconds, user: _user, ...rest } = request;
  return { ...rest, model, ...(seconds === undefined ? {} : { seconds: String(seconds) }) };
}

/** A `video` object as the job's state; one Tollgate cannot read is a retryable bad answer. */
export function convertOpenAIVideo(json: unknown, status: number): VideoJobState {
  const video = json as Partial<OpenAIVideo> | null;
  if (
    typeof video !== 'object' ||
    video === null ||
    typeof video.id !== 'string' ||
    !(VIDEO_STATUSES as readonly string[]).includes(String(video.status))
  ) {
    throw invalidResponseError('openai', status, JSON.stringify(json).slice(0, 500));
  }
  const seconds = Number(video.seconds);
  return {
    upstreamId: video.id,
    status: video.status as VideoStatus,
    ...(typeof video.progress === 'number' ? { progress: video.progress } : {}),
    ...(Number.isFinite(seconds) && seconds > 0 ? { seconds } : {}),
    ...(typeof video.size === 'string' ? { size: video.size } : {}),
    ...(video.error ? { error: video.error } : {}),
  };
}
