/**
 * The pure usage mappings: Anthropic's cache reads and writes into the one
 * convention and back, the usage of a call settled from what the provider
 * reported and what the tokenizer counted, and image sizes to aspect ratios.
 */
import { tokenUsageOf, type OpenAIChatRequest } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import { DeliveredOutput, settleStreamUsage } from '../../../src/gateway/call/call-usage';
import { lazyTokenCounter } from '../../../src/tokens/token-counter';
import {
  convertAnthropicUsage,
  toAnthropicUsage,
} from '../../../src/gateway/providers/anthropic/convert-anthropic-usage';
import { aspectRatioOf } from '../../../src/gateway/providers/gemini/convert-to-gemini-image-request';

const REQUEST: OpenAIChatRequest = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };

describe('Anthropic usage', () => {
  it('adds cache reads and writes into the input, the writes split by lifetime', () => {
    const usage = convertAnthropicUsage({
      input_tokens: 12,
      cache_read_input_tokens: 2000,
      cache_creation_input_tokens: 3000,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
      output_tokens: 16,
    });
    expect(tokenUsageOf(usage)).toEqual({
      inputTokens: 5012,
      outputTokens: 16,
      cachedInputTokens: 2000,
      cacheWrite5mTokens: 1000,
      cacheWrite1hTokens: 2000,
    });
    expect(toAnthropicUsage(usage)).toEqual({
      input_tokens: 12,
      output_tokens: 16,
      cache_read_input_tokens: 2000,
      cache_creation_input_tokens: 3000,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
    });
  });

  it('counts writes without a split as 5-minute writes, and a split short of the total as 5-minute too', () => {
    expect(
      tokenUsageOf(
        convertAnthropicUsage({
          input_tokens: 1,
          cache_creation_input_tokens: 50,
          output_tokens: 2,
        }),
      ),
    ).toMatchObject({ inputTokens: 51, cacheWrite5mTokens: 50 });
    expect(
      tokenUsageOf(
        convertAnthropicUsage({
          input_tokens: 1,
          cache_creation_input_tokens: 50,
          cache_creation: { ephemeral_1h_input_tokens: 20 },
          output_tokens: 2,
        }),
      ),
    ).toMatchObject({ inputTokens: 51, cacheWrite5mTokens: 30, cacheWrite1hTokens: 20 });
  });
});

describe('the usage of a stream', () => {
  const delivered = () => {
    const output = new DeliveredOutput();
    output.add({
      id: 'c',
      object: 'chat.completion.chunk',
      created: 0,
      model: 'm',
      choices: [
        {
          index: 0,
          delta: {
            content: 'Paris',
            reasoning_content: 'The user wants the weather.',
            tool_calls: [{ index: 0, function: { name: 'get_weather', arguments: '{"city":' } }],
          },
          finish_reason: null,
        },
      ],
    });
    return output;
  };

  it('is the final usage when the stream sent one', () => {
    const final = { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 };
    expect(
      settleStreamUsage({
        final,
        reported: undefined,
        request: REQUEST,
        delivered: delivered(),
        counter: lazyTokenCounter,
      }),
    ).toEqual({ usage: final, estimated: [] });
  });

  it('keeps a reported side and counts the other, text, reasoning and tool calls', () => {
    const count = (text: string) => lazyTokenCounter.countText(text);
    const reasoning = count('The user wants the weather.');
    const settled = settleStreamUsage({
      final: undefined,
      reported: { prompt: { prompt_tokens: 500, prompt_tokens_details: { cached_tokens: 400 } } },
      request: REQUEST,
      delivered: delivered(),
      counter: lazyTokenCounter,
    });
    expect(settled.estimated).toEqual(['output']);
    expect(tokenUsageOf(settled.usage)).toEqual({
      inputTokens: 500,
      cachedInputTokens: 400,
      outputTokens: count('Paris') + count('get_weather{"city":') + reasoning,
      reasoningTokens: reasoning,
    });
  });

  it('takes reasoning the upstream counted as it said, and counts only the visible output', () => {
    const settled = settleStreamUsage({
      final: undefined,
      reported: { reasoningTokens: 40 },
      request: REQUEST,
      delivered: delivered(),
      counter: lazyTokenCounter,
    });
    expect(settled.estimated).toEqual(['input', 'output']);
    expect(settled.usage.prompt_tokens).toBe(lazyTokenCounter.countPrompt(REQUEST));
    expect(tokenUsageOf(settled.usage)).toMatchObject({
      outputTokens:
        40 +
        lazyTokenCounter.countText('Paris') +
        lazyTokenCounter.countText('get_weather{"city":'),
      reasoningTokens: 40,
    });
  });
});

describe('image sizes', () => {
  it('become the nearest aspect ratio the model takes', () => {
    const imagen = ['1:1', '3:4', '4:3', '9:16', '16:9'];
    expect(aspectRatioOf('1024x1024', imagen)).toBe('1:1');
    expect(aspectRatioOf('1792x1024', imagen)).toBe('16:9');
    expect(aspectRatioOf('1024x1536', imagen)).toBe('3:4');
    expect(aspectRatioOf('auto', imagen)).toBeUndefined();
    expect(aspectRatioOf(undefined, imagen)).toBeUndefined();
  });
});
