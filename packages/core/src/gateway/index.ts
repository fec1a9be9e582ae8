export * from './openai-chat';
export * from './openai-images';
export * from './openai-videos';
export { contentText, createUsage, maxOutputTokens, tokenUsageOf } from './openai-chat-helpers';
export type { UsageDetails } from './openai-chat-helpers';
export {
  formatParam,
  parseChatCompletionRequest,
  parseEmbeddingRequest,
  parseImageRequest,
  parseVideoRequest,
  toParseResult,
} from './parse-openai-request';
export type { ParseResult } from './parse-openai-request';
export { InvalidRequestError, isInvalidRequestError } from './invalid-request-error';
export { PROVIDER_NAMES, isProviderName } from './provider';
export type {
  ChatResult,
  ChatStream,
  ImageResult,
  VideoContent,
  VideoJobState,
  Deployment,
  GatewayProvider,
  ProviderCall,
  ProviderName,
  StreamUsageReport,
} from './provider';
