/**
 * wrapOpenAI and wrapAnthropic on the official clients, against loopback
 * upstreams that speak each provider's wire format: the app gets exactly what
 * an unwrapped client gets (streams chunk by chunk), and each call is recorded
 * with the right tokens and cost.
 */
import Anthropic from '@anthropic-ai/sdk';
import { calculateCost } from '@tollgate/core';
import { createTollgate, run, step, wrapAnthropic, wrapOpenAI, type Tollgate } from '@tollgate/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { startAnthropicUpstream } from '../helpers/upstreams/anthropic-upstream';
import { startOpenAIUpstream } from '../helpers/upstreams/openai-upstream';
import type { Scenario, ScriptedUpstream } from '../helpers/upstreams/scripted-upstream';
import { waitForEvents, type StoredEvent } from './sdk-test-support';

let server: TestServer;
let tollgate: Tollgate;
let openaiUpstream: ScriptedUpstream;
let anthropicUpstream: ScriptedUpstream;
let plainOpenAI: OpenAI;
let wrappedOpenAI: OpenAI;
let plainAnthropic: Anthropic;
let wrappedAnthropic: Anthropic;

beforeAll(async () => {
  [server, openaiUpstream, anthropicUpstream] = await Promise.all([
    startTestServer(),
    startOpenAIUpstream(),
    startAnthropicUpstream(),
  ]);
  tollgate = createTollgate({
    baseUrl: server.url,
    apiKey: server.tenant.projectKey,
    setAsDefault: false,
    flushOnExit: false,
    service: 'wrapper-tests',
  });
  const openAIOptions = { apiKey: 'sk-test', baseURL: `${openaiUpstream.url}/v1`, maxRetries: 0 };
  const anthropicOptions = { apiKey: 'sk-ant-test', baseURL: anthropicUpstream.url, maxRetries: 0 };
  plainOpenAI = new OpenAI(openAIOptions);
  wrappedOpenAI = wrapOpenAI(new OpenAI(openAIOptions), { tollgate });
  plainAnthropic = new Anthropic(anthropicOptions);
  wrappedAnthropic = wrapAnthropic(new Anthropic(anthropicOptions), { tollgate });
});

afterAll(async () => {
  await tollgate.shutdown();
  await Promise.all([server.close(), openaiUpstream.close(), anthropicUpstream.close()]);
});

/** Runs `call` once on each client with the same scripted answer; returns both results and the wrapped call's event. */
async function both<T>(
  upstream: ScriptedUpstream,
  scenario: Scenario,
  call: (wrapped: boolean) => Promise<T>,
): Promise<{ plain: T; wrapped: T; event: StoredEvent }> {
  upstream.script(scenario);
  const plain = await call(false);
  upstream.script(scenario);
  let wrapped!: T;
  const runId = await run(
    `wrapper-${scenario}`,
    async (info) => {
      wrapped = await call(true);
      return info.runId;
    },
    { tollgate },
  );
  await tollgate.flush();
  const events = await waitForEvents(
    server,
    `event_type=prompt_call&run_id=${runId}`,
    (found) => found.length >= 1,
  );
  expect(events).toHaveLength(1);
  return { plain, wrapped, event: events[0]! };
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const chunks: T[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

function costNanos(model: string, input: number, output: number, cached = 0): number {
  return calculateCost(model, {
    inputTokens: input,
    outputTokens: output,
    cachedInputTokens: cached,
  }).costNanos;
}

const chatParams = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user' as const, content: 'Say hello' }],
};

describe('wrapOpenAI with the official openai client', () => {
  it('records a chat completion with tokens, cached tokens and cost, and returns it unchanged', async () => {
    const { plain, wrapped, event } = await both(openaiUpstream, 'text', (isWrapped) =>
      (isWrapped ? wrappedOpenAI : plainOpenAI).chat.completions.create(chatParams),
    );
    expect(wrapped).toEqual(plain);
    expect(wrapped._request_id).toEqual(plain._request_id);
    expect(event).toMatchObject({
      provider: 'openai',
      operation: 'chat',
      name: 'chat.completions.create',
      model: 'gpt-4o-mini-2024-07-18',
      model_requested: 'gpt-4o-mini',
      status: 'success',
      service: 'wrapper-tests',
      input_tokens: 19,
      output_tokens: 10,
      cached_tokens: 4,
      cost_nanos: costNanos('gpt-4o-mini-2024-07-18', 19, 10, 4),
    });
    expect(event.cost_nanos).toBeGreaterThan(0);
    expect(event.latency_ms).toBeGreaterThan(0);
    expect(JSON.parse(event.input)).toEqual(chatParams.messages);
    expect(JSON.parse(event.output)).toMatchObject({ content: 'Hello! How can I help you today?' });
  });

  it('passes a stream through chunk by chunk and records its usage and time to first token', async () => {
    const params = {
      ...chatParams,
      stream: true as const,
      stream_options: { include_usage: true },
    };
    const { plain, wrapped, event } = await both(openaiUpstream, 'text-stream', async (isWrapped) =>
      collect(await (isWrapped ? wrappedOpenAI : plainOpenAI).chat.completions.create(params)),
    );
    expect(wrapped).toEqual(plain);
    expect(wrapped.length).toBeGreaterThan(5);
    expect(event).toMatchObject({
      input_tokens: 19,
      output_tokens: 10,
      cached_tokens: 4,
      cost_nanos: costNanos('gpt-4o-mini-2024-07-18', 19, 10, 4),
      output: 'Hello! How can I help you today?',
      status: 'success',
    });
    expect(event.ttft_ms).toBeGreaterThan(0);
    expect(event.ttft_ms).toBeLessThanOrEqual(event.latency_ms);
  });

  it('hands each chunk to the app as soon as it arrives', async () => {
    openaiUpstream.script('text-stream');
    const stream = await wrappedOpenAI.chat.completions.create({ ...chatParams, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    expect(first.value.choices[0]?.delta.role).toBe('assistant');
    await iterator.return?.();
  });

  it('records tool calls, streamed or not', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    const whole = await both(openaiUpstream, 'tool', (isWrapped) =>
      (isWrapped ? wrappedOpenAI : plainOpenAI).chat.completions.create({ ...chatParams, tools }),
    );
    expect(whole.wrapped).toEqual(whole.plain);
    expect(whole.event).toMatchObject({
      input_tokens: 61,
      output_tokens: 15,
      cost_nanos: costNanos('gpt-4o-mini-2024-07-18', 61, 15),
    });
    expect(JSON.parse(whole.event.output).tool_calls[0].function.name).toBe('get_weather');

    const streamed = await both(openaiUpstream, 'tool-stream', async (isWrapped) =>
      collect(
        await (isWrapped ? wrappedOpenAI : plainOpenAI).chat.completions.create({
          ...chatParams,
          tools,
          stream: true,
        }),
      ),
    );
    expect(streamed.wrapped).toEqual(streamed.plain);
    expect(streamed.event).toMatchObject({ input_tokens: 61, output_tokens: 15 });
    expect(JSON.parse(streamed.event.output).tool_calls[0].name).toBe('get_weather');
  });

  it('records embeddings', async () => {
    const params = { model: 'text-embedding-3-small', input: ['one', 'two'] };
    const { plain, wrapped, event } = await both(openaiUpstream, 'embeddings', (isWrapped) =>
      (isWrapped ? wrappedOpenAI : plainOpenAI).embeddings.create(params),
    );
    expect(wrapped).toEqual(plain);
    expect(event).toMatchObject({
      operation: 'embedding',
      model: 'text-embedding-3-small',
      input_tokens: 8,
      output_tokens: 0,
      cost_nanos: costNanos('text-embedding-3-small', 8, 0),
      metadata: { embeddings: 2 },
    });
  });

  it('keeps the client helpers working: withResponse() and chat.completions.stream()', async () => {
    openaiUpstream.script('text');
    const { data, response } = await wrappedOpenAI.chat.completions
      .create(chatParams)
      .withResponse();
    expect(response.status).toBe(200);
    expect(data.choices[0]?.message.content).toBe('Hello! How can I help you today?');

    const { event } = await both(openaiUpstream, 'text-stream', async (isWrapped) => {
      const stream = (isWrapped ? wrappedOpenAI : plainOpenAI).chat.completions.stream(chatParams);
      return (await stream.finalChatCompletion()).choices[0]?.message.content;
    });
    expect(event).toMatchObject({ status: 'success', input_tokens: 19, output_tokens: 10 });
  });

  it('records a failed call and rethrows the same error the plain client throws', async () => {
    openaiUpstream.script('server-error');
    const plainError = await plainOpenAI.chat.completions
      .create(chatParams)
      .catch((error: unknown) => error);
    openaiUpstream.script('server-error');
    let wrappedError: unknown;
    const runId = await run(
      'wrapper-error',
      async (info) => {
        wrappedError = await wrappedOpenAI.chat.completions
          .create(chatParams)
          .catch((error: unknown) => error);
        return info.runId;
      },
      { tollgate },
    );
    expect(wrappedError).toBeInstanceOf(OpenAI.InternalServerError);
    expect((wrappedError as Error).message).toBe((plainError as Error).message);
    await tollgate.flush();
    const [event] = await waitForEvents(
      server,
      `event_type=prompt_call&run_id=${runId}`,
      (found) => found.length === 1,
    );
    expect(event).toMatchObject({ status: 'error', model_requested: 'gpt-4o-mini' });
    expect(event!.error_message).toContain('500');
  });
});

const messageParams = {
  model: 'claude-opus-4-1',
  max_tokens: 100,
  messages: [{ role: 'user' as const, content: 'Say hello' }],
};

describe('wrapAnthropic with the official @anthropic-ai/sdk client', () => {
  it('records a message with cache reads counted as input, and returns it unchanged', async () => {
    const { plain, wrapped, event } = await both(anthropicUpstream, 'text', (isWrapped) =>
      (isWrapped ? wrappedAnthropic : plainAnthropic).messages.create(messageParams),
    );
    expect(wrapped).toEqual(plain);
    expect(event).toMatchObject({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      input_tokens: 19,
      output_tokens: 10,
      cached_tokens: 4,
      cost_nanos: costNanos('claude-sonnet-4-5-20250929', 19, 10, 4),
    });
    expect(event.cost_nanos).toBeGreaterThan(0);
  });

  it('passes a stream through event by event and records its usage', async () => {
    const { plain, wrapped, event } = await both(
      anthropicUpstream,
      'text-stream',
      async (isWrapped) =>
        collect(
          await (isWrapped ? wrappedAnthropic : plainAnthropic).messages.create({
            ...messageParams,
            stream: true,
          }),
        ),
    );
    expect(wrapped).toEqual(plain);
    expect(event).toMatchObject({
      input_tokens: 19,
      output_tokens: 10,
      cached_tokens: 4,
      output: 'Hello! How can I help you today?',
    });
    expect(event.ttft_ms).toBeGreaterThan(0);
  });

  it('records tool use and keeps messages.stream() working', async () => {
    const tools = [
      {
        name: 'get_weather',
        input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } },
      },
    ];
    const whole = await both(anthropicUpstream, 'tool', (isWrapped) =>
      (isWrapped ? wrappedAnthropic : plainAnthropic).messages.create({ ...messageParams, tools }),
    );
    expect(whole.wrapped).toEqual(whole.plain);
    expect(whole.event).toMatchObject({
      input_tokens: 384,
      output_tokens: 58,
      cost_nanos: costNanos('claude-sonnet-4-5-20250929', 384, 58),
    });

    const streamed = await both(
      anthropicUpstream,
      'tool-stream',
      async (isWrapped) =>
        await (isWrapped ? wrappedAnthropic : plainAnthropic).messages
          .stream({ ...messageParams, tools })
          .finalMessage(),
    );
    expect(streamed.wrapped).toEqual(streamed.plain);
    expect(streamed.event).toMatchObject({ input_tokens: 384, output_tokens: 58 });
  });
});

describe('wrapped calls inside agent runs', () => {
  it('hang under the step they were made in', async () => {
    openaiUpstream.script('text');
    const ids = await run(
      'agent',
      async (info) =>
        step(
          'answer',
          async (current) => {
            await wrappedOpenAI.chat.completions.create(chatParams);
            return { runId: info.runId, stepId: current.eventId };
          },
          { tollgate },
        ),
      { tollgate },
    );
    await tollgate.flush();
    const [event] = await waitForEvents(
      server,
      `event_type=prompt_call&run_id=${ids.runId}`,
      (found) => found.length === 1,
    );
    expect(event!.parent_id).toBe(ids.stepId);
  });
});
