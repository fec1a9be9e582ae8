import { InvalidRequestError, tokenUsageOf } from '@tollgate/core';
import type {
  ImageResult,
  OpenAIImage,
  OpenAIImageRequest,
  OpenAIImageResponse,
  TokenUsage,
} from '@tollgate/core';
import { costOfCall } from './call-cost';
import { attemptsOf, type CallInfo, type ChatCall, type ChatCallContext } from './chat-call';
import type { GatewayRouter } from './gateway-router';
import {
  callsMade,
  recordPromptCall,
  type CallRecorder,
  type PromptCallRecord,
} from './record-prompt-call';

export interface ImageServices {
  chat: ChatCall;
  router: GatewayRouter;
  recorder: CallRecorder;
}

export interface ImageAnswer {
  response: OpenAIImageResponse;
  info: CallInfo;
  costNanos: number;
  /** True when the price table does not know the model: the cost is unknown, not $0. */
  unpriced: boolean;
}

/**
 * One image generation through the gateway: routed like a chat call (routes,
 * failover, breakers), priced per image by the model, size and quality, and
 * recorded as a `prompt_call` of the `image` operation with its image count.
 */
export async function generateImages(
  services: ImageServices,
  request: OpenAIImageRequest,
  context: ChatCallContext,
): Promise<ImageAnswer> {
  const startedAt = performance.now();
  const route = await services.chat.resolve(context.tenant, request.model, context.knownRoute);
  const record = (facts: Partial<PromptCallRecord>) =>
    recordPromptCall(services.recorder, context.tenant, {
      requestId: context.requestId,
      operation: 'image',
      status: 'success',
      modelRequested: request.model,
      inputTokens: 0,
      outputTokens: 0,
      cachedTokens: 0,
      costNanos: 0,
      latencyMs: performance.now() - startedAt,
      attempts: [],
      cacheHit: false,
      simulated: false,
      input: request.prompt,
      userId: request.user,
      trace: context.trace,
      ...facts,
    });
  try {
    const routed = await services.router.run(
      context.tenant.orgId,
      route,
      context.signal,
      (provider, deployment, signal) => {
        if (!provider.generateImages) {
          throw new InvalidRequestError(`${provider.name} has no image generation API`, {
            param: 'model',
            code: 'unsupported_operation',
          });
        }
        return provider.generateImages(
          { ...request, model: deployment.model },
          { deployment, signal, requestId: context.requestId },
        );
      },
    );
    const { response, simulated = false } = routed.value;
    const imageSize = response.size ?? request.size;
    const imageQuality = response.quality ?? request.quality;
    const usage = imageUsageOf(routed.value);
    const cost = costOfCall(routed.deployment.model, usage, context.tenant, {
      imageSize,
      imageQuality,
    });
    const info: CallInfo = {
      provider: routed.deployment.provider,
      servedModel: routed.deployment.model,
      attempts: callsMade(routed.attempts).length,
      cache: 'bypass',
      simulated,
    };
    record({
      provider: info.provider,
      servedModel: info.servedModel,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      imageCount: usage.imageCount,
      imageSize,
      imageQuality,
      costNanos: cost.costNanos,
      unpriced: !cost.priced,
      priceSource: cost.price?.source,
      attempts: routed.attempts,
      simulated,
      output: response.data.map(storedImage),
    });
    return { response, info, costNanos: cost.costNanos, unpriced: !cost.priced };
  } catch (error) {
    record({
      status: 'error',
      attempts: attemptsOf(error),
      simulated: route.deployments.every((deployment) => deployment.provider === 'simulated'),
      errorMessage: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
}

/** The images made, and the tokens when the provider counts them (gpt-image-1, Gemini image models). */
function imageUsageOf(result: ImageResult): TokenUsage {
  const tokens = result.usage ? tokenUsageOf(result.usage) : { inputTokens: 0, outputTokens: 0 };
  return { ...tokens, imageCount: result.response.data.length };
}

/** What the event keeps of an image: its URL or revised prompt, never the image bytes. */
function storedImage(image: OpenAIImage): Record<string, unknown> {
  const { b64_json: base64, ...rest } = image;
  return base64 === undefined
    ? rest
    : { ...rest, b64_json_bytes: Math.floor((base64.length * 3) / 4) };
}
