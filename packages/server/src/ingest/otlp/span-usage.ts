import type { TokenUsage } from '@tollgate/core';
import type { AttributeReader } from './attribute-reader';
import { GEN_AI, LANGFUSE, OPENINFERENCE, TRACELOOP, VERCEL_AI } from './gen-ai-attributes';
import { isRecord } from './otlp-attributes';
import { jsonText } from './span-content';

/** Counts as a dialect reports them, before the "input includes cached" convention is applied. */
interface ReportedUsage {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
  /** True when `input` leaves cache reads and writes out (Langfuse's usage details). */
  inputExcludesCache?: boolean;
  /** True when `output` leaves reasoning out. */
  outputExcludesReasoning?: boolean;
}

/**
 * The usage of a model call in Tollgate's one usage record (`TokenUsage`:
 * input includes cache reads and writes, output includes reasoning), from
 * whichever dialect reported it: OpenTelemetry GenAI (current and older
 * names), OpenLLMetry, OpenInference, the Vercel AI SDK (current and
 * legacy), Langfuse's usage details. Undefined when the span reports no
 * token count at all: unknown usage stays unknown, never zero.
 */
export function readSpanUsage(
  attributes: AttributeReader,
  /** The normalised provider: Anthropic-derived attributes leave cache out of input. */
  provider?: string,
): TokenUsage | undefined {
  const reported = readLangfuseUsage(attributes) ?? readAttributeUsage(attributes, provider);
  if (reported.input === undefined && reported.output === undefined) return undefined;
  return normaliseUsage(reported);
}

function readAttributeUsage(attributes: AttributeReader, provider?: string): ReportedUsage {
  // OpenLLMetry's Anthropic spans copy Anthropic's usage as it is, `input_tokens` without
  // the cache (which its `…_input_tokens` names carry); the current conventions include it.
  const anthropicFields =
    provider === 'anthropic' &&
    (attributes.has(GEN_AI.cacheReadInputTokensOld) ||
      attributes.has(GEN_AI.cacheCreationInputTokensOld));
  const usage: ReportedUsage = {
    inputExcludesCache: anthropicFields,
    input: attributes.count(
      GEN_AI.inputTokens,
      GEN_AI.promptTokens,
      OPENINFERENCE.promptTokens,
      VERCEL_AI.inputTokens,
      VERCEL_AI.promptTokens,
      VERCEL_AI.tokens,
    ),
    output: attributes.count(
      GEN_AI.outputTokens,
      GEN_AI.completionTokens,
      OPENINFERENCE.completionTokens,
      VERCEL_AI.outputTokens,
      VERCEL_AI.completionTokens,
    ),
    cacheRead: attributes.count(
      GEN_AI.cacheReadInputTokens,
      GEN_AI.cacheReadInputTokensOld,
      OPENINFERENCE.cacheReadTokens,
      VERCEL_AI.cacheReadTokens,
      VERCEL_AI.cachedInputTokens,
    ),
    cacheWrite: attributes.count(
      GEN_AI.cacheCreationInputTokens,
      GEN_AI.cacheCreationInputTokensOld,
      OPENINFERENCE.cacheWriteTokens,
      VERCEL_AI.cacheWriteTokens,
    ),
    reasoning: attributes.count(
      GEN_AI.reasoningOutputTokens,
      GEN_AI.reasoningTokensOld,
      OPENINFERENCE.reasoningTokens,
      VERCEL_AI.outputReasoningTokens,
      VERCEL_AI.reasoningTokens,
    ),
  };
  // Totals are implied by the parts; read so they do not repeat in the metadata.
  attributes.count(GEN_AI.totalTokens, TRACELOOP.totalTokens, 'llm.token_count.total');
  attributes.count('ai.usage.totalTokens', 'ai.usage.inputTokenDetails.noCacheTokens');
  attributes.count('ai.usage.outputTokenDetails.textTokens');
  if (usage.input === undefined && usage.output !== undefined && usage.cacheRead === undefined) {
    return { ...usage, input: 0 };
  }
  return usage;
}

/** Langfuse keys of each kind; its details are disjoint (input leaves cache out). */
const LANGFUSE_INPUT = ['input', 'prompt_tokens', 'promptTokens', 'input_tokens'];
const LANGFUSE_OUTPUT = ['output', 'completion_tokens', 'completionTokens', 'output_tokens'];
const LANGFUSE_CACHE_READ = [
  'cache_read_input_tokens',
  'input_cached_tokens',
  'input_cache_read',
  'cached_tokens',
];
const LANGFUSE_CACHE_WRITE = ['cache_creation_input_tokens', 'input_cache_creation'];
const LANGFUSE_REASONING = ['output_reasoning_tokens', 'output_reasoning', 'reasoning_tokens'];

/**
 * `langfuse.observation.usage_details` (JSON text). Langfuse prices each key
 * apart, so `input` there leaves cache reads and writes out and `output`
 * leaves reasoning out; OpenAI-style keys (`prompt_tokens`) include them.
 */
function readLangfuseUsage(attributes: AttributeReader): ReportedUsage | undefined {
  const details = jsonText(attributes.value(LANGFUSE.usageDetails));
  if (!isRecord(details)) return undefined;
  const first = (keys: readonly string[]) => {
    for (const key of keys) {
      const value = details[key];
      if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
    }
    return undefined;
  };
  const openAiStyle = typeof details.prompt_tokens === 'number';
  return {
    input: first(LANGFUSE_INPUT),
    output: first(LANGFUSE_OUTPUT),
    cacheRead: first(LANGFUSE_CACHE_READ),
    cacheWrite: first(LANGFUSE_CACHE_WRITE),
    reasoning: first(LANGFUSE_REASONING),
    inputExcludesCache: !openAiStyle,
    outputExcludesReasoning: !openAiStyle && typeof details.output === 'number',
  };
}

/**
 * Applies the convention. A dialect known to leave cache out of `input` has
 * it added; otherwise input that is smaller than its own cache reads and
 * writes can only have left them out (Anthropic-derived attributes do), and
 * has them added too.
 */
export function normaliseUsage(reported: ReportedUsage): TokenUsage {
  const cacheRead = reported.cacheRead ?? 0;
  const cacheWrite = reported.cacheWrite ?? 0;
  const reasoning = reported.reasoning ?? 0;
  let input = reported.input ?? 0;
  if (reported.inputExcludesCache || input < cacheRead + cacheWrite) {
    input += cacheRead + cacheWrite;
  }
  let output = reported.output ?? 0;
  if (reported.outputExcludesReasoning || output < reasoning) output += reasoning;
  const usage: TokenUsage = { inputTokens: input, outputTokens: output };
  if (reported.cacheRead !== undefined) usage.cachedInputTokens = cacheRead;
  if (reported.cacheWrite !== undefined) usage.cacheWrite5mTokens = cacheWrite;
  if (reported.reasoning !== undefined) usage.reasoningTokens = reasoning;
  return usage;
}
