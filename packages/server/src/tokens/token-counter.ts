/**
 * Local token counting with the o200k tokenizer (`gpt-tokenizer`): the
 * simulated provider's usage, and the gateway's count when a stream reports no
 * usage. Exact for OpenAI's current models, an estimate for the others.
 *
 * The tokenizer's tables take about half a second and ~40 MB to load, so they
 * load when the gateway's first call arrives (`loadTokenCounter()`, awaited by
 * the gateway's pre-handler), never at import or start-up: an idle server, or
 * one that only ingests, never holds them. `lazyTokenCounter` serves the
 * plugins; a use before any gateway call loads the tables synchronously.
 */
import { createRequire } from 'node:module';
import { contentText } from '@tollgate/core';
import type { OpenAIChatMessage, OpenAIChatRequest, OpenAIEmbeddingRequest } from '@tollgate/core';

export interface TokenCounter {
  countText(text: string): number;
  /** The longest prefix of `text` that is at most `maxTokens` tokens. */
  truncate(text: string, maxTokens: number): string;
  /** Tokens of a chat request's prompt, OpenAI-style: per-message overhead, names, tools and images. */
  countPrompt(request: OpenAIChatRequest): number;
  countEmbeddingInput(input: OpenAIEmbeddingRequest['input']): number;
}

/** OpenAI's chat framing: each message costs 3 tokens beyond its content, a name 1, the reply priming 3. */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING_TOKENS = 3;
/** A low-detail image; high-detail tiles cost more, but the prompt only holds a URL. */
const TOKENS_PER_IMAGE = 85;

let loaded: TokenCounter | undefined;
let loading: Promise<TokenCounter> | undefined;

export function loadTokenCounter(): Promise<TokenCounter> {
  loading ??= loaded
    ? Promise.resolve(loaded)
    : import('gpt-tokenizer').then((tokenizer) => (loaded ??= createTokenCounter(tokenizer)));
  return loading;
}

/** Whether the tables are in memory (the gateway's pre-handler awaits `loadTokenCounter()` until they are). */
export function tokenCounterLoaded(): boolean {
  return loaded !== undefined;
}

function loadedCounter(): TokenCounter {
  loaded ??= createTokenCounter(createRequire(import.meta.url)('gpt-tokenizer') as Tokenizer);
  return loaded;
}

/** The counter, with its tables loaded on first use (see the file's comment). */
export const lazyTokenCounter: TokenCounter = {
  countText: (text) => loadedCounter().countText(text),
  truncate: (text, maxTokens) => loadedCounter().truncate(text, maxTokens),
  countPrompt: (request) => loadedCounter().countPrompt(request),
  countEmbeddingInput: (input) => loadedCounter().countEmbeddingInput(input),
};

interface Tokenizer {
  countTokens(text: string): number;
  encode(text: string): number[];
  decode(tokens: Iterable<number>): string;
}

function createTokenCounter({ countTokens, encode, decode }: Tokenizer): TokenCounter {
  const countText = (text: string) => (text.length === 0 ? 0 : countTokens(text));
  return {
    countText,
    truncate(text, maxTokens) {
      const tokens = encode(text);
      return tokens.length <= maxTokens ? text : decode(tokens.slice(0, maxTokens));
    },
    countPrompt(request) {
      let total = REPLY_PRIMING_TOKENS;
      for (const message of request.messages) total += countMessage(message, countText);
      if (request.tools?.length)
        total += countText(JSON.stringify(request.tools.map((tool) => tool.function)));
      return total;
    },
    countEmbeddingInput(input) {
      if (typeof input === 'string') return countText(input);
      let total = 0;
      for (const item of input) {
        if (typeof item === 'string') total += countText(item);
        else if (typeof item === 'number') total += 1;
        else total += item.length;
      }
      return total;
    },
  };
}

function countMessage(message: OpenAIChatMessage, countText: (text: string) => number): number {
  let total = TOKENS_PER_MESSAGE + countText(message.role);
  if ('name' in message && typeof message.name === 'string')
    total += TOKENS_PER_NAME + countText(message.name);
  if (message.role === 'user' && Array.isArray(message.content)) {
    for (const part of message.content) {
      if (part.type === 'text') total += countText(part.text);
      else if (part.type === 'image_url') total += TOKENS_PER_IMAGE;
    }
    return total;
  }
  total += countText(contentText(message.content));
  if (message.role === 'assistant') {
    for (const call of message.tool_calls ?? []) {
      total += countText(call.function.name) + countText(call.function.arguments);
    }
  }
  return total;
}
