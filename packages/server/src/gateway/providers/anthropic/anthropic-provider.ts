import { InvalidRequestError } from '@tollgate/core';
import type {
  Deployment,
  GatewayProvider,
  OpenAIChatRequest,
  StreamUsageReport,
} from '@tollgate/core';
import {
  invalidResponseError,
  joinUrl,
  parseJsonBody,
  postUpstream,
  readBodyBytes,
  readSseEvents,
} from '../upstream-http';
import type { HttpTransport, UpstreamRequest } from '../upstream-http';
import { positiveIntegerOption, requireApiKey } from '../deployment-settings';
import type { AnthropicResponse } from './anthropic-api';
import { anthropicErrorSpec } from './anthropic-error';
import { convertAnthropicStream } from './anthropic-stream';
import { convertAnthropicResponse } from './convert-anthropic-response';
import {
  ANTHROPIC_DEFAULT_MAX_TOKENS,
  convertToAnthropicRequest,
} from './convert-to-anthropic-request';

/** Like Anthropic's SDK, the base URL has no `/v1`. */
export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_DEFAULT_VERSION = '2023-06-01';

/**
 * Anthropic Messages API. Deployment options: `defaultMaxTokens` (Anthropic
 * requires a limit; default 4096).
 */
export function createAnthropicProvider(transport: HttpTransport): GatewayProvider {
  const prepare = (
    request: OpenAIChatRequest,
    deployment: Deployment,
    signal: AbortSignal,
    stream: boolean,
  ) => {
    const { body, jsonResponseTool } = convertToAnthropicRequest(request, {
      model: deployment.model,
      stream,
      defaultMaxTokens: positiveIntegerOption(
        deployment,
        'defaultMaxTokens',
        ANTHROPIC_DEFAULT_MAX_TOKENS,
      ),
    });
    const upstream: UpstreamRequest = {
      provider: 'anthropic',
      url: joinUrl(deployment.baseUrl ?? ANTHROPIC_BASE_URL, 'v1/messages'),
      headers: {
        'content-type': 'application/json',
        accept: stream ? 'text/event-stream' : 'application/json',
        'x-api-key': requireApiKey(deployment),
        'anthropic-version': deployment.apiVersion ?? ANTHROPIC_DEFAULT_VERSION,
        ...deployment.headers,
      },
      body: JSON.stringify(body),
      signal,
      errorSpec: anthropicErrorSpec,
    };
    return { upstream, options: { created: Math.floor(transport.now() / 1000), jsonResponseTool } };
  };

  return {
    name: 'anthropic',

    async chat(request, { deployment, signal }) {
      const { upstream, options } = prepare(request, deployment, signal, false);
      const response = await postUpstream(transport, upstream);
      const json = parseJsonBody(
        await readBodyBytes(response, upstream),
        upstream,
        response.status,
      );
      if (!isAnthropicResponse(json)) {
        throw invalidResponseError(
          'anthropic',
          response.status,
          JSON.stringify(json).slice(0, 500),
        );
      }
      return { response: convertAnthropicResponse(json, options) };
    },

    async streamChat(request, { deployment, signal }) {
      const { upstream, options } = prepare(request, deployment, signal, true);
      const response = await postUpstream(transport, upstream);
      const reported: StreamUsageReport = {};
      return {
        chunks: convertAnthropicStream(readSseEvents(response, upstream), options, reported),
        reported,
      };
    },

    async embed() {
      throw new InvalidRequestError('Anthropic has no embeddings API', {
        code: 'unsupported_operation',
      });
    },
  };
}

function isAnthropicResponse(json: unknown): json is AnthropicResponse {
  const candidate = json as Partial<AnthropicResponse> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    Array.isArray(candidate.content) &&
    typeof candidate.usage === 'object'
  );
}
