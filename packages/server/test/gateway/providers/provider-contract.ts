/**
 * The contract every provider adapter keeps (STYLE 13), run by each
 * provider's test file: canonical answers, streamed answers equal to
 * unstreamed ones, tool calls, and, for providers with a wire, every failure
 * mapped to the right `UpstreamError`.
 */
import { isUpstreamError } from '@tollgate/core';
import type {
  Deployment,
  GatewayProvider,
  OpenAIChatRequest,
  OpenAIChatResponse,
  ProviderCall,
  ProviderName,
  UpstreamError,
} from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scenario, ScriptedUpstream } from '../../helpers/upstreams/scripted-upstream';
import { collectStream } from './collect-stream';

export interface ContractSetup {
  provider: GatewayProvider;
  deployment: Deployment;
  /** The scripted loopback upstream; the simulated provider has none. */
  upstream?: ScriptedUpstream;
  close(): Promise<void>;
}

export interface ProviderContractSubject {
  name: ProviderName;
  start(): Promise<ContractSetup>;
  /** Whether the provider has a wire to fail on (every provider but `simulated`). */
  wire: boolean;
  embeddings: boolean;
}

export const HELLO_REQUEST: OpenAIChatRequest = {
  model: 'tollgate-model',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Hello!' },
  ],
  temperature: 0.2,
  max_tokens: 200,
};

export const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'The current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

export const WEATHER_REQUEST: OpenAIChatRequest = {
  model: 'tollgate-model',
  messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
  tools: [WEATHER_TOOL],
  tool_choice: 'required',
};

/** The rejection of a promise, checked to be an `UpstreamError` by its guard. */
export async function upstreamErrorOf(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => new Error('expected the call to fail'),
    (rejection: unknown) => rejection,
  );
  if (!isUpstreamError(error)) throw error;
  return error;
}

export function runProviderContract(subject: ProviderContractSubject): void {
  describe(`${subject.name}: provider contract`, () => {
    let setup: ContractSetup;
    beforeAll(async () => {
      setup = await subject.start();
    });
    afterAll(() => setup.close());

    const call = (signal: AbortSignal = new AbortController().signal): ProviderCall => ({
      deployment: setup.deployment,
      signal,
      requestId: 'request-contract',
    });
    const script = (scenario: Scenario) => setup.upstream?.script(scenario);

    it('answers a chat request in the canonical format, with consistent usage', async () => {
      script('text');
      const { response } = await setup.provider.chat(HELLO_REQUEST, call());
      expect(response.object).toBe('chat.completion');
      expect(response.id).toEqual(expect.any(String));
      const choice = response.choices[0];
      expect(choice?.message.role).toBe('assistant');
      expect(choice?.message.content).toEqual(expect.stringMatching(/\S/));
      expect(choice?.finish_reason).toBe('stop');
      expectConsistentUsage(response);
    });

    it('streams the same answer, finish reason and usage as it gives unstreamed', async () => {
      script('text');
      script('text-stream');
      const { response } = await setup.provider.chat(HELLO_REQUEST, call());
      const stream = await setup.provider.streamChat({ ...HELLO_REQUEST, stream: true }, call());
      const collected = await collectStream(stream.chunks);
      expect(collected.text).toBe(response.choices[0]?.message.content);
      expect(collected.finishReason).toBe('stop');
      expect(collected.usage).toEqual(response.usage);
      expect(collected.chunksAfterUsage).toBe(0);
      expect(collected.roles).toEqual(['assistant']);
    });

    it('returns tool calls with JSON arguments and finish reason tool_calls', async () => {
      script('tool');
      const { response } = await setup.provider.chat(WEATHER_REQUEST, call());
      const choice = response.choices[0];
      expect(choice?.finish_reason).toBe('tool_calls');
      const toolCall = choice?.message.tool_calls?.[0];
      expect(toolCall).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
      expect(toolCall?.id).toEqual(expect.stringMatching(/\S/));
      expect(JSON.parse(toolCall?.function.arguments ?? '')).toEqual({ city: expect.any(String) });
    });

    it('streams tool calls that add up to the unstreamed ones', async () => {
      script('tool');
      script('tool-stream');
      const { response } = await setup.provider.chat(WEATHER_REQUEST, call());
      const stream = await setup.provider.streamChat({ ...WEATHER_REQUEST, stream: true }, call());
      const collected = await collectStream(stream.chunks);
      expect(collected.finishReason).toBe('tool_calls');
      const expected = response.choices[0]?.message.tool_calls ?? [];
      expect(collected.toolCalls.map((toolCall) => toolCall.name)).toEqual(
        expected.map((toolCall) => toolCall.function.name),
      );
      expect(collected.toolCalls.map((toolCall) => JSON.parse(toolCall.arguments))).toEqual(
        expected.map((toolCall) => JSON.parse(toolCall.function.arguments)),
      );
      expect(collected.toolCalls.every((toolCall) => toolCall.id.length > 0)).toBe(true);
    });

    it.runIf(subject.embeddings)('embeds every input, in order, with usage', async () => {
      script('embeddings');
      const response = await setup.provider.embed(
        { model: 'tollgate-embedder', input: ['first', 'second'] },
        call(),
      );
      expect(response.object).toBe('list');
      expect(response.data.map((item) => item.index)).toEqual([0, 1]);
      for (const item of response.data)
        expect(item.embedding).toEqual(expect.arrayContaining([expect.any(Number)]));
      expect(response.usage.total_tokens).toBeGreaterThan(0);
    });

    describe.runIf(subject.wire)('failures', () => {
      it('turns a 500 into a retryable http error', async () => {
        script('server-error');
        const error = await upstreamErrorOf(setup.provider.chat(HELLO_REQUEST, call()));
        expect(error).toMatchObject({
          kind: 'http',
          status: 500,
          isRetryable: true,
          provider: subject.name,
        });
        expect(error.body).toEqual(expect.any(String));
      });

      it('turns a 429 into a retryable error that says how long to wait', async () => {
        script('rate-limited');
        const error = await upstreamErrorOf(setup.provider.chat(HELLO_REQUEST, call()));
        expect(error).toMatchObject({
          kind: 'http',
          status: 429,
          isRetryable: true,
          reason: 'rate_limited',
        });
        expect(error.retryAfterMs).toBe(setup.upstream?.wire.rateLimitRetryAfterMs);
      });

      it('recognises a context-window error and does not retry it', async () => {
        script('context-window');
        const error = await upstreamErrorOf(setup.provider.chat(HELLO_REQUEST, call()));
        expect(error).toMatchObject({
          kind: 'http',
          status: 400,
          isRetryable: false,
          reason: 'context_window_exceeded',
        });
      });

      it('recognises a content-policy refusal and does not retry it', async (context) => {
        if (!setup.upstream?.supports('content-policy')) return context.skip();
        script('content-policy');
        const error = await upstreamErrorOf(setup.provider.chat(HELLO_REQUEST, call()));
        expect(error).toMatchObject({ kind: 'http', isRetryable: false, reason: 'content_policy' });
      });

      it('does not retry a bad request', async () => {
        script('bad-request');
        const error = await upstreamErrorOf(setup.provider.chat(HELLO_REQUEST, call()));
        expect(error).toMatchObject({
          kind: 'http',
          isRetryable: false,
          reason: 'invalid_request',
        });
      });

      it('turns a reset connection into a retryable connection error', async () => {
        script('reset');
        const error = await upstreamErrorOf(setup.provider.chat(HELLO_REQUEST, call()));
        expect(error).toMatchObject({ kind: 'connection', isRetryable: true });
      });

      it('turns a timeout abort into a retryable timeout error', async () => {
        script('hang');
        const error = await upstreamErrorOf(
          setup.provider.chat(HELLO_REQUEST, call(AbortSignal.timeout(100))),
        );
        expect(error).toMatchObject({ kind: 'timeout', isRetryable: true });
      });

      it('rethrows the reason of any other abort as it is', async () => {
        script('hang');
        const controller = new AbortController();
        const reason = new Error('the client went away');
        const pending = setup.provider.chat(HELLO_REQUEST, call(controller.signal));
        setTimeout(() => controller.abort(reason), 20);
        await expect(pending).rejects.toBe(reason);
      });

      it('rejects a stream refused with an error status before any chunk', async () => {
        script('rate-limited');
        const error = await upstreamErrorOf(
          setup.provider.streamChat({ ...HELLO_REQUEST, stream: true }, call()),
        );
        expect(error).toMatchObject({ kind: 'http', status: 429, isRetryable: true });
      });

      it('throws a stream error from the iterator when the stream is cut', async () => {
        script('cut-stream');
        const stream = await setup.provider.streamChat({ ...HELLO_REQUEST, stream: true }, call());
        const seen: unknown[] = [];
        const error = await upstreamErrorOf(
          (async () => {
            for await (const chunk of stream.chunks) seen.push(chunk);
          })(),
        );
        expect(error).toMatchObject({ kind: 'stream', isRetryable: false, provider: subject.name });
        expect(seen.length).toBeGreaterThan(0);
      });

      it('throws a stream error for an error event inside the stream', async (context) => {
        if (!setup.upstream?.supports('stream-error')) return context.skip();
        script('stream-error');
        const stream = await setup.provider.streamChat({ ...HELLO_REQUEST, stream: true }, call());
        const error = await upstreamErrorOf(collectStream(stream.chunks));
        expect(error).toMatchObject({ kind: 'stream' });
        expect(error.message.length).toBeGreaterThan(0);
      });
    });
  });
}

function expectConsistentUsage(response: OpenAIChatResponse): void {
  const usage = response.usage;
  expect(usage).toBeDefined();
  if (!usage) return;
  expect(usage.prompt_tokens).toBeGreaterThan(0);
  expect(usage.completion_tokens).toBeGreaterThan(0);
  expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
  expect(usage.prompt_tokens_details?.cached_tokens ?? 0).toBeLessThanOrEqual(usage.prompt_tokens);
}
