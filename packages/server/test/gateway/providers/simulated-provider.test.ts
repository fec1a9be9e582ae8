import { isUpstreamError } from '@tollgate/core';
import type { Deployment, OpenAIChatRequest } from '@tollgate/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProvider } from '../../../src/gateway/providers';
import { loadTokenCounter } from '../../../src/tokens/token-counter';
import { collectStream } from './collect-stream';
import {
  HELLO_REQUEST,
  WEATHER_REQUEST,
  WEATHER_TOOL,
  runProviderContract,
  upstreamErrorOf,
} from './provider-contract';

const deployment = (options: Record<string, unknown> = {}): Deployment => ({
  id: 'simulated-test',
  provider: 'simulated',
  model: 'simulated/gpt-4o-mini',
  options,
});

runProviderContract({
  name: 'simulated',
  wire: false,
  embeddings: true,
  start: async () => ({
    provider: createProvider('simulated'),
    deployment: deployment(),
    close: async () => {},
  }),
});

describe('simulated provider', () => {
  const provider = createProvider('simulated', { now: () => 1_763_900_000_000 });
  const call = (target = deployment(), signal = new AbortController().signal) => ({
    deployment: target,
    signal,
    requestId: 'request-1',
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('says it is simulated', async () => {
    const result = await provider.chat(HELLO_REQUEST, call());
    expect(result.simulated).toBe(true);
    expect(result.response).toMatchObject({
      system_fingerprint: 'tollgate-simulated',
      model: 'simulated/gpt-4o-mini',
    });
    const stream = await provider.streamChat({ ...HELLO_REQUEST, stream: true }, call());
    expect(stream.simulated).toBe(true);
    const collected = await collectStream(stream.chunks);
    expect(
      collected.chunks.every((chunk) => chunk.system_fingerprint === 'tollgate-simulated'),
    ).toBe(true);
  });

  it('answers the same request the same way, and another request another way', async () => {
    const first = await provider.chat(HELLO_REQUEST, call());
    const again = await provider.chat(HELLO_REQUEST, call());
    const other = await provider.chat(
      { ...HELLO_REQUEST, messages: [{ role: 'user', content: 'Bonjour' }] },
      call(),
    );
    expect(again.response.choices).toEqual(first.response.choices);
    expect(again.response.id).toBe(first.response.id);
    expect(other.response.choices[0]?.message.content).not.toBe(
      first.response.choices[0]?.message.content,
    );
  });

  it('counts the prompt with the tokenizer and the answer exactly', async () => {
    const counter = await loadTokenCounter();
    const { response } = await provider.chat(HELLO_REQUEST, call());
    const content = response.choices[0]?.message.content ?? '';
    expect(response.usage?.prompt_tokens).toBe(counter.countPrompt(HELLO_REQUEST));
    expect(response.usage?.completion_tokens).toBe(counter.countText(content));
  });

  it('keeps within max_tokens and then finishes for length', async () => {
    const counter = await loadTokenCounter();
    const { response } = await provider.chat(
      { ...HELLO_REQUEST, max_tokens: 5 },
      call(deployment({ minOutputTokens: 50 })),
    );
    expect(response.usage?.completion_tokens).toBeLessThanOrEqual(5);
    expect(counter.countText(response.choices[0]?.message.content ?? '')).toBeLessThanOrEqual(5);
    expect(response.choices[0]?.finish_reason).toBe('length');
  });

  it('derives the answer length from the request, within the deployment bounds', async () => {
    const bounded = deployment({ minOutputTokens: 20, maxOutputTokens: 30 });
    for (const content of ['one', 'two', 'three', 'four']) {
      const { response } = await provider.chat(
        { ...HELLO_REQUEST, messages: [{ role: 'user', content }] },
        call(bounded),
      );
      // Sentence punctuation adds a few tokens to the words.
      expect(response.usage?.completion_tokens).toBeGreaterThanOrEqual(20);
      expect(response.usage?.completion_tokens).toBeLessThanOrEqual(36);
    }
  });

  it('calls the named tool, calls none with tool_choice none, and answers in text after a tool result', async () => {
    const named: OpenAIChatRequest = {
      ...WEATHER_REQUEST,
      tools: [
        { ...WEATHER_TOOL, function: { ...WEATHER_TOOL.function, name: 'other' } },
        WEATHER_TOOL,
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    };
    const { response: calling } = await provider.chat(named, call());
    expect(calling.choices[0]?.message.tool_calls?.[0]?.function.name).toBe('get_weather');

    const { response: none } = await provider.chat(
      { ...WEATHER_REQUEST, tool_choice: 'none' },
      call(),
    );
    expect(none.choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: { content: expect.any(String) },
    });

    const afterResult: OpenAIChatRequest = {
      ...WEATHER_REQUEST,
      tool_choice: 'auto',
      messages: [
        ...WEATHER_REQUEST.messages,
        {
          role: 'assistant',
          content: null,
          tool_calls: calling.choices[0]?.message.tool_calls ?? [],
        },
        { role: 'tool', tool_call_id: 'call_x', content: '18°C' },
      ],
    };
    const { response: final } = await provider.chat(afterResult, call());
    expect(final.choices[0]?.finish_reason).toBe('stop');
  });

  it('answers a JSON schema response format with JSON that has its properties', async () => {
    const { response } = await provider.chat(
      {
        ...HELLO_REQUEST,
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'forecast',
            schema: {
              type: 'object',
              properties: {
                city: { type: 'string' },
                celsius: { type: 'number' },
                sky: { enum: ['clear', 'cloudy'] },
              },
            },
          },
        },
      },
      call(),
    );
    const answer = JSON.parse(response.choices[0]?.message.content ?? '') as Record<
      string,
      unknown
    >;
    expect(answer).toEqual({
      city: expect.any(String),
      celsius: expect.any(Number),
      sky: expect.stringMatching(/clear|cloudy/),
    });
  });

  it('gives n choices when asked', async () => {
    const { response } = await provider.chat({ ...HELLO_REQUEST, n: 3 }, call());
    expect(response.choices.map((choice) => choice.index)).toEqual([0, 1, 2]);
  });

  it('embeds text as deterministic unit vectors of the asked size', async () => {
    const response = await provider.embed(
      { model: 'e', input: ['alpha', 'beta', 'alpha'], dimensions: 64 },
      call(),
    );
    const [alpha, beta, alphaAgain] = response.data.map((item) => item.embedding as number[]);
    expect(alpha).toHaveLength(64);
    expect(Math.hypot(...(alpha ?? []))).toBeCloseTo(1, 10);
    expect(alphaAgain).toEqual(alpha);
    expect(beta).not.toEqual(alpha);
    const base64 = await provider.embed(
      { model: 'e', input: 'alpha', encoding_format: 'base64' },
      call(),
    );
    expect(Buffer.from(base64.data[0]?.embedding as string, 'base64')).toHaveLength(1536 * 4);
  });

  it('fails at the configured rate, with the configured status and Retry-After', async () => {
    const failing = deployment({ errorRate: 1, errorStatus: 429, retryAfterMs: 2000 });
    const error = await upstreamErrorOf(provider.chat(HELLO_REQUEST, call(failing)));
    expect(error).toMatchObject({
      kind: 'http',
      status: 429,
      isRetryable: true,
      retryAfterMs: 2000,
      provider: 'simulated',
    });
    await expect(provider.streamChat(HELLO_REQUEST, call(failing))).rejects.toSatisfy(
      isUpstreamError,
    );

    const sometimes = createProvider('simulated', { random: () => 0.3 });
    await expect(
      sometimes.chat(HELLO_REQUEST, call(deployment({ errorRate: 0.25 }))),
    ).resolves.toBeDefined();
    await expect(
      sometimes.chat(HELLO_REQUEST, call(deployment({ errorRate: 0.5 }))),
    ).rejects.toSatisfy(isUpstreamError);
  });

  it('waits the configured latency before answering', async () => {
    await loadTokenCounter();
    vi.useFakeTimers();
    let settled = false;
    const pending = provider.chat(HELLO_REQUEST, call(deployment({ latencyMs: 1000 }))).then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(settled).toBe(true);
  });

  it('paces a stream: time to first token, then one interval per chunk', async () => {
    await loadTokenCounter();
    vi.useFakeTimers();
    const paced = deployment({
      timeToFirstTokenMs: 500,
      chunkIntervalMs: 20,
      minOutputTokens: 3,
      maxOutputTokens: 3,
    });
    const stream = await provider.streamChat({ ...HELLO_REQUEST, stream: true }, call(paced));
    const iterator = stream.chunks[Symbol.asyncIterator]();
    let first: unknown;
    const firstChunk = iterator.next().then((result) => (first = result.value));
    await vi.advanceTimersByTimeAsync(499);
    expect(first).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await firstChunk;
    expect(first).toMatchObject({ choices: [{ delta: { role: 'assistant' } }] });
    let second: unknown;
    const secondChunk = iterator.next().then((result) => (second = result.value));
    await vi.advanceTimersByTimeAsync(19);
    expect(second).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await secondChunk;
    expect(second).toMatchObject({ choices: [{ delta: { content: expect.any(String) } }] });
    await iterator.return?.();
  });

  it('times out like an upstream: before the answer, and inside a stream', async () => {
    await loadTokenCounter();
    vi.useFakeTimers();
    const slow = deployment({ latencyMs: 10_000 });
    const timeout = new AbortController();
    const pending = upstreamErrorOf(provider.chat(HELLO_REQUEST, call(slow, timeout.signal)));
    timeout.abort(new DOMException('timed out', 'TimeoutError'));
    expect(await pending).toMatchObject({ kind: 'timeout', isRetryable: true });

    const streamTimeout = new AbortController();
    const stream = await provider.streamChat(HELLO_REQUEST, call(slow, streamTimeout.signal));
    const reading = upstreamErrorOf(collectStream(stream.chunks));
    streamTimeout.abort(new DOMException('timed out', 'TimeoutError'));
    expect(await reading).toMatchObject({ kind: 'stream' });
  });

  it('refuses invalid deployment options clearly', async () => {
    await expect(provider.chat(HELLO_REQUEST, call(deployment({ errorRate: 2 })))).rejects.toThrow(
      /invalid option errorRate/,
    );
  });
});
