import type { Deployment, GatewayProvider, StreamUsageReport } from '@tollgate/core';
import { requireApiKey } from '../deployment-settings';
import type { ProviderErrorSpec } from '../provider-error-spec';
import {
  joinUrl,
  parseJsonBody,
  postUpstream,
  readBodyBytes,
  readSseEvents,
} from '../upstream-http';
import type { HttpTransport, UpstreamRequest } from '../upstream-http';
import {
  convertOpenAIEmbeddingResponse,
  convertOpenAIImageResponse,
  convertOpenAIResponse,
} from './convert-openai-response';
import {
  convertToOpenAIEmbeddingRequest,
  convertToOpenAIRequest,
} from './convert-to-openai-request';
import { openAIErrorSpec } from './openai-error';
import { convertOpenAIStream } from './openai-stream';
import { openAIVideoMethods } from './openai-videos';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export type OpenAIOperation = 'chat/completions' | 'embeddings' | 'images/generations';

/** What distinguishes one server speaking OpenAI's wire format from another. */
export interface OpenAIWireConfig {
  name: 'openai' | 'azure-openai' | 'openai-compatible';
  url(deployment: Deployment, operation: OpenAIOperation): string;
  /** Credentials and any fixed headers; the deployment's own headers are added after. */
  headers(deployment: Deployment): Record<string, string>;
  errorSpec: ProviderErrorSpec<unknown>;
  preferMaxCompletionTokens: boolean;
}

export function createOpenAIProvider(transport: HttpTransport): GatewayProvider {
  const provider = createOpenAIWireProvider(transport, {
    name: 'openai',
    url: (deployment, operation) => joinUrl(deployment.baseUrl ?? OPENAI_BASE_URL, operation),
    headers: (deployment) => ({ authorization: `Bearer ${requireApiKey(deployment)}` }),
    errorSpec: openAIErrorSpec,
    preferMaxCompletionTokens: true,
  });
  return { ...provider, ...openAIVideoMethods(transport, OPENAI_BASE_URL) };
}

/**
 * A provider for any server speaking OpenAI's wire format: the request goes
 * out nearly as it came in, and the upstream bytes of a completion come back
 * as `rawBody` for the gateway to forward untouched.
 */
export function createOpenAIWireProvider(
  transport: HttpTransport,
  config: OpenAIWireConfig,
): GatewayProvider {
  const upstreamRequest = (
    deployment: Deployment,
    operation: OpenAIOperation,
    body: string,
    signal: AbortSignal,
    stream: boolean,
  ): UpstreamRequest => ({
    provider: config.name,
    url: config.url(deployment, operation),
    headers: {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      ...config.headers(deployment),
      ...deployment.headers,
    },
    body,
    signal,
    errorSpec: config.errorSpec,
  });

  const requestOptions = (deployment: Deployment, stream: boolean) => ({
    model: deployment.model,
    stream,
    preferMaxCompletionTokens: config.preferMaxCompletionTokens,
  });

  return {
    name: config.name,

    async chat(request, { deployment, signal }) {
      const body = convertToOpenAIRequest(request, requestOptions(deployment, false));
      const upstream = upstreamRequest(deployment, 'chat/completions', body, signal, false);
      const response = await postUpstream(transport, upstream);
      const rawBody = await readBodyBytes(response, upstream);
      const json = parseJsonBody(rawBody, upstream, response.status);
      return { response: convertOpenAIResponse(json, config.name, response.status), rawBody };
    },

    async streamChat(request, { deployment, signal }) {
      const body = convertToOpenAIRequest(request, requestOptions(deployment, true));
      const upstream = upstreamRequest(deployment, 'chat/completions', body, signal, true);
      const response = await postUpstream(transport, upstream);
      const reported: StreamUsageReport = {};
      return {
        chunks: convertOpenAIStream(
          readSseEvents(response, upstream),
          config.name,
          config.errorSpec,
          reported,
        ),
        reported,
      };
    },

    async embed(request, { deployment, signal }) {
      const body = convertToOpenAIEmbeddingRequest(request, deployment.model);
      const upstream = upstreamRequest(deployment, 'embeddings', body, signal, false);
      const response = await postUpstream(transport, upstream);
      const json = parseJsonBody(
        await readBodyBytes(response, upstream),
        upstream,
        response.status,
      );
      return convertOpenAIEmbeddingResponse(json, config.name, response.status);
    },

    async generateImages(request, { deployment, signal }) {
      const body = JSON.stringify({ ...request, model: deployment.model });
      const upstream = upstreamRequest(deployment, 'images/generations', body, signal, false);
      const response = await postUpstream(transport, upstream);
      const json = parseJsonBody(
        await readBodyBytes(response, upstream),
        upstream,
        response.status,
      );
      return convertOpenAIImageResponse(json, config.name, response.status);
    },
  };
}
