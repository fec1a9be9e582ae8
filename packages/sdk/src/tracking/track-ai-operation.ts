import { getDefaultTollgate, type Tollgate } from '../exporter/create-tollgate';
import { elapsedMs, monotonicNow } from '../runtime/background-clock';
import { messageOfError, statusOfError } from './error-status';
import { isOperationKind, promptCallEvent, type PromptCallFacts } from './prompt-call-event';
import { countsOfResult, type TokenCounts } from './usage';

export interface TrackAIOperationOptions<T = unknown> {
  /** `chat`, `completion`, `embedding`, `image`, `video` or `moderation`; any other word becomes the event's name. */
  operationType?: string;
  /** The operation's name (what the app calls it), e.g. `summarize-ticket`. */
  name?: string;
  model?: string;
  provider?: string;
  /** Your customer (or end user) the call is for: recorded as `user_id`, for cost per customer. */
  clientId?: string;
  sessionId?: string;
  /** Recorded as the cost when no price is known for the model and tokens. */
  estimatedCostUsd?: number;
  /** Token counts, or how to read them from the result; by default read from an OpenAI or Anthropic `usage`. */
  usage?: Partial<TokenCounts> | ((result: T) => Partial<TokenCounts> | undefined);
  input?: unknown;
  /** What to record as the output; by default nothing. */
  output?: (result: T) => unknown;
  tags?: string[];
  metadata?: Record<string, unknown>;
  /** Default: the default instance (the last `createTollgate()`). */
  tollgate?: Tollgate;
}

/**
 * Runs `fn`, measures it and records a `prompt_call` event with its outcome,
 * tokens and cost; returns `fn`'s result or rethrows its error unchanged.
 * Recording never throws and never waits.
 */
export async function trackAIOperation<T>(
  fn: () => T | Promise<T>,
  options: TrackAIOperationOptions<T> = {},
): Promise<T> {
  const startedAt = Date.now();
  const started = monotonicNow();
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    const facts = baseFacts(options, startedAt, started, statusOfError(error));
    facts.errorMessage = messageOfError(error);
    record(options, facts);
    throw error;
  }
  const facts = baseFacts(options, startedAt, started, 'success');
  facts.counts = countsOf(options, result);
  if (options.output) facts.output = safely(() => options.output!(result));
  record(options, facts);
  return result;
}

// Built field by field: an object spread here costs several microseconds a call in V8.
function baseFacts(
  options: TrackAIOperationOptions<never>,
  startedAt: number,
  started: number,
  status: PromptCallFacts['status'],
): PromptCallFacts {
  const kind = isOperationKind(options.operationType) ? options.operationType : undefined;
  return {
    startedAt,
    status,
    latencyMs: elapsedMs(started),
    operation: kind,
    name: options.name ?? (kind ? undefined : options.operationType),
    provider: options.provider,
    model: options.model,
    fallbackCostUsd: options.estimatedCostUsd,
    userId: options.clientId,
    sessionId: options.sessionId,
    input: options.input,
    tags: options.tags,
    metadata: options.metadata,
  };
}

function countsOf<T>(options: TrackAIOperationOptions<T>, result: T): TokenCounts | undefined {
  const given =
    typeof options.usage === 'function'
      ? safely(() => (options.usage as (result: T) => Partial<TokenCounts> | undefined)(result))
      : options.usage;
  if (!given) return countsOfResult(result);
  return {
    ...given,
    inputTokens: given.inputTokens ?? 0,
    outputTokens: given.outputTokens ?? 0,
    cachedTokens: given.cachedTokens ?? 0,
  };
}

function record(options: TrackAIOperationOptions<never>, facts: PromptCallFacts): void {
  const tollgate = options.tollgate ?? getDefaultTollgate();
  if (!tollgate) return;
  try {
    if (!tollgate.captureContent) {
      facts.input = undefined;
      facts.output = undefined;
    }
    tollgate.record(promptCallEvent(facts));
  } catch {
    // Recording must never reach the app.
  }
}

function safely<R>(read: () => R): R | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
