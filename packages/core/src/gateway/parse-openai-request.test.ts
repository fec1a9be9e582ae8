import { describe, expect, it } from 'vitest';
import { isInvalidRequestError } from './invalid-request-error';
import { contentText, createUsage, maxOutputTokens, tokenUsageOf } from './openai-chat-helpers';
import { parseChatCompletionRequest, parseEmbeddingRequest } from './parse-openai-request';

const valid = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] };

function errorOf(body: unknown) {
  const result = parseChatCompletionRequest(body);
  if (result.success) throw new Error('expected the request to be refused');
  return result.error;
}

describe('parseChatCompletionRequest', () => {
  it('accepts every role, content parts, tools, response formats and the sampling fields', () => {
    const result = parseChatCompletionRequest({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use metric units.' }] },
        {
          role: 'user',
          name: 'ada',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'look', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'a cat' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'look', parameters: { type: 'object' }, strict: true },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'look' } },
      parallel_tool_calls: false,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', schema: { type: 'object' }, strict: true },
      },
      temperature: 0.5,
      top_p: 1,
      max_completion_tokens: 100,
      stop: ['\n\n'],
      n: 1,
      seed: 42,
      user: 'user-1',
      stream: true,
      stream_options: { include_usage: true },
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      logprobs: true,
      top_logprobs: 3,
    });
    expect(result.success).toBe(true);
  });

  it('lets fields it does not know pass through untouched', () => {
    const result = parseChatCompletionRequest({
      ...valid,
      reasoning_effort: 'low',
      top_k: 40,
      metadata: { a: 'b' },
    });
    expect(result.success && result.data).toMatchObject({
      reasoning_effort: 'low',
      top_k: 40,
      metadata: { a: 'b' },
    });
  });

  it('accepts null for the optional fields OpenAI clients send as null', () => {
    expect(
      parseChatCompletionRequest({ ...valid, temperature: null, stop: null, stream_options: null })
        .success,
    ).toBe(true);
  });

  it('names the offending field, OpenAI-style', () => {
    expect(errorOf({ ...valid, temperature: 'hot' })).toMatchObject({
      param: 'temperature',
      message: "Invalid value for 'temperature': invalid input: expected number, received string",
    });
    expect(errorOf({ ...valid, temperature: 3 }).param).toBe('temperature');
    expect(errorOf({ model: 'm', messages: [] }).param).toBe('messages');
    expect(errorOf({ messages: valid.messages })).toMatchObject({
      param: 'model',
      message: "Invalid value for 'model': is required",
    });
    expect(errorOf({ model: 'm', messages: [{ role: 'robot', content: 'x' }] }).param).toBe(
      'messages[0].role',
    );
    expect(errorOf({ model: 'm', messages: [{ role: 'tool', content: 'x' }] }).param).toBe(
      'messages[0].tool_call_id',
    );
    expect(errorOf({ ...valid, stop: ['a', 'b', 'c', 'd', 'e'] }).param).toBe('stop');
    expect(errorOf({ ...valid, tool_choice: 'sometimes' }).param).toBe('tool_choice');
    expect(errorOf({ ...valid, response_format: { type: 'yaml' } }).param).toBe(
      'response_format.type',
    );
  });

  it('points into a content array at the part that is wrong', () => {
    const error = errorOf({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hi' },
            { type: 'image_url', image_url: {} },
          ],
        },
      ],
    });
    expect(error).toMatchObject({
      param: 'messages[0].content[1].image_url.url',
      code: 'invalid_type',
    });
    expect(isInvalidRequestError(error)).toBe(true);
    expect(error.status).toBe(400);
  });

  it('refuses a body that is not an object', () => {
    expect(errorOf('hello')).toMatchObject({
      param: undefined,
      message: expect.stringMatching(/^Invalid request body/),
    });
  });
});

describe('parseEmbeddingRequest', () => {
  it('accepts strings, string arrays and token arrays, and names a bad input', () => {
    for (const input of ['a', ['a', 'b'], [1, 2, 3], [[1, 2], [3]]]) {
      expect(parseEmbeddingRequest({ model: 'e', input }).success).toBe(true);
    }
    const result = parseEmbeddingRequest({ model: 'e', input: [] });
    expect(!result.success && result.error.param).toBe('input');
    expect(parseEmbeddingRequest({ model: 'e', input: 'a', encoding_format: 'hex' }).success).toBe(
      false,
    );
  });
});

describe('chat helpers', () => {
  it('reads the text of any content', () => {
    expect(contentText('plain')).toBe('plain');
    expect(
      contentText([
        { type: 'text', text: 'a' },
        { type: 'image_url' },
        { type: 'text', text: 'b' },
      ]),
    ).toBe('ab');
    expect(contentText(null)).toBe('');
  });

  it('prefers max_completion_tokens to max_tokens', () => {
    expect(
      maxOutputTokens({ ...valid, messages: [], max_tokens: 10, max_completion_tokens: 20 }),
    ).toBe(20);
    expect(maxOutputTokens({ ...valid, messages: [], max_tokens: 10 })).toBe(10);
    expect(maxOutputTokens({ ...valid, messages: [] })).toBeUndefined();
  });

  it('turns usage into the token counts the cost calculator takes', () => {
    const usage = createUsage(100, 20, { cachedTokens: 40, reasoningTokens: 5 });
    expect(usage).toEqual({
      prompt_tokens: 100,
      completion_tokens: 20,
      total_tokens: 120,
      prompt_tokens_details: { cached_tokens: 40 },
      completion_tokens_details: { reasoning_tokens: 5 },
    });
    expect(tokenUsageOf(usage)).toEqual({
      inputTokens: 100,
      outputTokens: 20,
      cachedInputTokens: 40,
      reasoningTokens: 5,
    });
    expect(
      tokenUsageOf(
        createUsage(100, 4, { cachedTokens: 10, cacheWrite5mTokens: 20, cacheWrite1hTokens: 30 }),
      ),
    ).toEqual({
      inputTokens: 100,
      outputTokens: 4,
      cachedInputTokens: 10,
      cacheWrite5mTokens: 20,
      cacheWrite1hTokens: 30,
    });
    expect(tokenUsageOf(createUsage(3, 4))).toEqual({ inputTokens: 3, outputTokens: 4 });
  });
});
