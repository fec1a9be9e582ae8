import { calculateCost, type Prices } from '@tollgate/core';
import type { TokenCounter } from '../../tokens/token-counter';

/** What a gateway body says about a call's price: model, prompt tokens and the most it may answer. */
export interface CallSize {
  model: string;
  promptTokens: number;
  maxOutputTokens: number;
}

/** The model and token counts of an OpenAI or Anthropic request body, estimated locally. */
export function callSizeOf(body: unknown, tokenCounter: TokenCounter): CallSize {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const model = typeof fields.model === 'string' ? fields.model.slice(0, 256) : '';
  const prompt = [fields.system ?? fields.instructions, fields.messages ?? fields.input]
    .filter((part) => part !== undefined)
    .map((part) => (typeof part === 'string' ? part : JSON.stringify(part)))
    .join('\n');
  const maxOutput = [
    fields.max_completion_tokens,
    fields.max_tokens,
    fields.max_output_tokens,
  ].find(
    (value): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0,
  );
  return {
    model,
    promptTokens: tokenCounter.countText(prompt.slice(0, 1_000_000)),
    maxOutputTokens: Math.min(Math.floor(maxOutput ?? 0), 100_000_000),
  };
}

/**
 * The highest price of the call among the models it may be served by (the
 * model asked for and its route's deployments), in nano-dollars; undefined
 * when none of them has a known price.
 */
export function estimateCostNanos(
  size: CallSize,
  models: readonly string[],
  prices: Prices | undefined,
): number | undefined {
  let highest: number | undefined;
  for (const model of new Set(models)) {
    const cost = calculateCost(
      model,
      { inputTokens: size.promptTokens, outputTokens: size.maxOutputTokens },
      prices,
    );
    if (cost.priced && (highest === undefined || cost.costNanos > highest))
      highest = cost.costNanos;
  }
  return highest;
}
