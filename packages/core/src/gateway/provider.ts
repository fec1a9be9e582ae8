/**
 * The one interface every model provider adapter implements. Types only: the
 * adapters (and their I/O) live in the server under `gateway/providers/<name>/`.
 */
import type {
  OpenAIChatChunk,
  OpenAIChatRequest,
  OpenAIChatResponse,
  OpenAIEmbeddingRequest,
  OpenAIEmbeddingResponse,
  OpenAIUsage,
} from './openai-chat';
import type { OpenAIImageRequest, OpenAIImageResponse } from './openai-images';
import type { OpenAIVideoError, OpenAIVideoRequest, VideoStatus } from './openai-videos';

export const PROVIDER_NAMES = [
  'openai',
  'azure-openai',
  'openai-compatible',
  'anthropic',
  'gemini',
  'simulated',
] as const;

export type ProviderName = (typeof PROVIDER_NAMES)[number];

export function isProviderName(value: unknown): value is ProviderName {
  return typeof value === 'string' && (PROVIDER_NAMES as readonly string[]).includes(value);
}

/** One concrete upstream a route can send a call to. */
export interface Deployment {
  id: string;
  provider: ProviderName;
  /** The model name upstream (for Azure OpenAI: the deployment name). */
  model: string;
  baseUrl?: string;
  apiKey?: string;
  /** Azure `api-version`, Anthropic `anthropic-version`. */
  apiVersion?: string;
  /** Extra headers sent with every upstream request. */
  headers?: Record<string, string>;
  /** Provider-specific settings, e.g. the simulated provider's latency. */
  options?: Record<string, unknown>;
}

export interface ProviderCall {
  deployment: Deployment;
  /**
   * Aborts the upstream call. Abort with a reason named 'TimeoutError' (what
   * `AbortSignal.timeout()` does) to get an `UpstreamError` of kind 'timeout';
   * any other reason is rethrown as it is.
   */
  signal: AbortSignal;
  requestId: string;
}

export interface ChatResult {
  response: OpenAIChatResponse;
  /** Upstream body bytes when the provider speaks OpenAI natively, so the gateway can forward them untouched. */
  rawBody?: Buffer;
  /** True for the simulated provider: the gateway labels the answer `x-tollgate-simulated: true`. */
  simulated?: boolean;
}

/**
 * Returned once the upstream accepted the request (status and headers received),
 * so the gateway may still fail over before the first chunk. Iterating may
 * throw an `UpstreamError` of kind 'stream' if the stream breaks. When the
 * upstream reports usage, the last chunk has `choices: []` and `usage`, whether
 * or not the client asked for `stream_options.include_usage`.
 */
export interface ChatStream {
  chunks: AsyncIterable<OpenAIChatChunk>;
  simulated?: boolean;
  /** What the upstream has said of its usage so far, kept up to date as the chunks are read. */
  reported?: StreamUsageReport;
}

/**
 * The usage a stream's upstream has reported before its final usage chunk:
 * Anthropic tells the prompt side in message_start, Gemini counts in every
 * chunk. A stream cut before its end is charged from it, and the tokenizer
 * estimates only the side the upstream never told.
 */
export interface StreamUsageReport {
  /** `prompt_tokens` with its details, once the upstream told them. */
  prompt?: Pick<OpenAIUsage, 'prompt_tokens' | 'prompt_tokens_details'>;
  /** Every token generated through the last chunk read, when the upstream counts as it goes. */
  completion?: Pick<OpenAIUsage, 'completion_tokens' | 'completion_tokens_details'>;
  /**
   * Reasoning tokens counted so far when the visible output is not yet
   * counted (Gemini's chunks carry `thoughtsTokenCount` before
   * `candidatesTokenCount`): the tokenizer then counts only the visible part.
   */
  reasoningTokens?: number;
  /**
   * Reasoning text the upstream generated that the stream does not pass on
   * (Anthropic's thinking blocks): the tokenizer counts it when the stream
   * ends before the upstream counted its output.
   */
  reasoningText?: string;
}

export interface GatewayProvider {
  readonly name: ProviderName;
  chat(request: OpenAIChatRequest, call: ProviderCall): Promise<ChatResult>;
  streamChat(request: OpenAIChatRequest, call: ProviderCall): Promise<ChatStream>;
  embed(request: OpenAIEmbeddingRequest, call: ProviderCall): Promise<OpenAIEmbeddingResponse>;
  /** Image generation, for providers with image models; absent: the provider has none. */
  generateImages?(request: OpenAIImageRequest, call: ProviderCall): Promise<ImageResult>;
  /** Starts a video job, for providers with video models; absent: the provider has none. */
  createVideo?(request: OpenAIVideoRequest, call: ProviderCall): Promise<VideoJobState>;
  /** The job's state now, by the id `createVideo` returned. */
  getVideo?(upstreamId: string, call: ProviderCall): Promise<VideoJobState>;
  /** The finished video's bytes (MP4). */
  downloadVideo?(upstreamId: string, call: ProviderCall): Promise<VideoContent>;
}

/** A video job as the provider reports it, in OpenAI's terms whatever the provider's. */
export interface VideoJobState {
  /** The provider's id of the job (OpenAI's video id, Gemini's operation name). */
  upstreamId: string;
  status: VideoStatus;
  /** 0–100, when the provider says. */
  progress?: number;
  /** Seconds of video the job makes (or made), when the provider says. */
  seconds?: number;
  size?: string;
  error?: OpenAIVideoError;
  simulated?: boolean;
}

export interface VideoContent {
  contentType: string;
  body: AsyncIterable<Uint8Array>;
  /** Bytes, when the provider says. */
  length?: number;
  simulated?: boolean;
}

export interface ImageResult {
  /** In OpenAI's wire format, whatever the provider's. */
  response: OpenAIImageResponse;
  /** Token usage of the call when the provider reports it (gpt-image-1, Gemini image models). */
  usage?: OpenAIUsage;
  simulated?: boolean;
}
