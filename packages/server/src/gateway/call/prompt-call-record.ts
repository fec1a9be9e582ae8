import type { EstimatedUsagePart, EventStatus, EventTenant, FailoverAttempt } from '@tollgate/core';
import type { UsedPrompt } from '../../prompts/prompt-reference';
import type { CallTrace } from '../../http/call-trace';
import type { ContentKey } from '../../secrets/content-keys';

export type { CallTrace } from '../../http/call-trace';

/** The tenant of a gateway call: whose event it is, and whether its project stores content. */
export interface CallTenant extends EventTenant {
  /** False: the event keeps the call's facts (tokens, cost, status...) but not its prompt and response. */
  contentStorage: boolean;
  /** True: PII in the stored prompt, response and error message is redacted (the project's setting). */
  piiRedaction?: boolean;
  /** Set when the project encrypts stored content: its org's data key. */
  contentKey?: ContentKey;
}

export interface PromptCallRecord {
  requestId: string;
  operation: 'chat' | 'embedding' | 'image' | 'video';
  /** The event's id when chosen in advance (a video job's, so recording it again stores it once). */
  eventId?: string;
  /** The recorded name: the endpoint's (`messages`, `responses`); by default the operation's. */
  name?: string;
  status: EventStatus;
  modelRequested: string;
  provider?: string;
  servedModel?: string;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  /** Prompt-cache writes by lifetime (part of `inputTokens`). */
  cacheWrite5mTokens?: number;
  cacheWrite1hTokens?: number;
  /** Reasoning tokens (part of `outputTokens`). */
  reasoningTokens?: number;
  /** The sides of the usage the tokenizer counted because the provider never reported them. */
  estimatedUsage?: EstimatedUsagePart[];
  /** The service tier the provider served the call with. */
  serviceTier?: string;
  /** Images generated (the `image` operation), and their size and quality as the API took them. */
  imageCount?: number;
  imageSize?: string;
  imageQuality?: string;
  /** Seconds of video generated (the `video` operation). */
  videoDurationSeconds?: number;
  costNanos: number;
  /** True when the price table did not know the model. */
  unpriced?: boolean;
  /** Which price list layer priced the call (`catalogue`, `override` …); stored as `cost_source`. */
  priceSource?: string;
  latencyMs: number;
  ttftMs?: number;
  attempts: FailoverAttempt[];
  cacheHit: boolean;
  simulated: boolean;
  input?: unknown;
  output?: unknown;
  errorMessage?: string;
  userId?: string;
  metadata?: Record<string, unknown>;
  trace?: CallTrace;
  /** The stored prompt version the call was rendered from. */
  prompt?: UsedPrompt;
}
