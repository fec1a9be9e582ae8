import type { OpenAIEmbeddingRequest, OpenAIEmbeddingResponse } from '@tollgate/core';
import type { TokenCounter } from '../../../tokens/token-counter';
import { encodeEmbedding } from '../embedding-encoding';
import { seededRandom } from './simulated-random';

/** Deterministic unit vectors: the same text (and model) always embeds to the same vector. */
export function simulateEmbeddings(
  request: OpenAIEmbeddingRequest,
  model: string,
  dimensions: number,
  counter: TokenCounter,
): OpenAIEmbeddingResponse {
  const input = request.input;
  const items: (string | number[])[] =
    typeof input === 'string'
      ? [input]
      : typeof input[0] === 'number'
        ? [input as number[]]
        : (input as (string | number[])[]);
  const promptTokens = counter.countEmbeddingInput(input);
  return {
    object: 'list',
    data: items.map((item, index) => ({
      object: 'embedding',
      index,
      embedding: encodeEmbedding(
        unitVector(`${model}\n${JSON.stringify(item)}`, dimensions),
        request.encoding_format,
      ),
    })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

function unitVector(seed: string, dimensions: number): number[] {
  const random = seededRandom(seed);
  const values = Array.from({ length: dimensions }, () => random.next() * 2 - 1);
  const norm = Math.hypot(...values) || 1;
  return values.map((value) => value / norm);
}
