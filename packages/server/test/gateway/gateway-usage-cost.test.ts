/**
 * Cost truth through the real server: recorded provider usage (cache reads,
 * cache writes by lifetime, reasoning, service tier) served by loopback
 * upstreams, called with the official clients; the usage each call recorded
 * and its cost to the nano-dollar; streams cut part-way keep what the provider
 * had already reported and estimate only the rest, and say so.
 */
import { countTokens } from 'gpt-tokenizer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lazyTokenCounter } from '../../src/tokens/token-counter';
import {
  providerDeployment,
  route,
  startGatewayServer,
  type GatewayServer,
} from '../helpers/gateway-server';
import { drainChat, drainMessages } from '../helpers/gateway-streams';
import { startAnthropicUpstream } from '../helpers/upstreams/anthropic-upstream';
import { chunkFixture, jsonFixture } from '../helpers/upstreams/fixtures';
import { startGeminiUpstream } from '../helpers/upstreams/gemini-upstream';
import { startOpenAIUpstream } from '../helpers/upstreams/openai-upstream';
import type { ScriptedUpstream, WireFormat } from '../helpers/upstreams/scripted-upstream';
import { newRequestId, promptCallOf, type PromptCallEvent } from './gateway-call-records';

/** Nano-dollars per token of a price in USD per million tokens. */
const per = (usdPerMillion: number) => usdPerMillion * 1000;
const QUESTION = [{ role: 'user' as const, content: 'When can the contract be terminated?' }];

let gateway: GatewayServer;
let claude: ScriptedUpstream;
let gpt: ScriptedUpstream;
let compatible: ScriptedUpstream;
let gemini: ScriptedUpstream;

beforeAll(async () => {
  [claude, gpt, compatible, gemini] = await Promise.all([
    startAnthropicUpstream(),
    startOpenAIUpstream('openai'),
    startOpenAIUpstream('openai-compatible'),
    startGeminiUpstream(),
  ]);
  gateway = await startGatewayServer([
    route(
      'claude-sonnet-4-5',
      providerDeployment('claude', 'anthropic', 'claude-sonnet-4-5', claude),
    ),
    route(
      'claude-slow',
      providerDeployment('claude-slow', 'anthropic', 'claude-sonnet-4-5', claude, {
        timeoutMs: 400,
      }),
    ),
    route('gpt-4o', providerDeployment('gpt', 'openai', 'gpt-4o', gpt)),
    route('o4-mini', providerDeployment('o4', 'openai', 'o4-mini', gpt)),
    route(
      'deepseek-reasoner',
      providerDeployment('deepseek', 'openai-compatible', 'deepseek-reasoner', compatible),
    ),
    route(
      'gpt-4o-compatible',
      providerDeployment('vllm', 'openai-compatible', 'gpt-4o', compatible),
    ),
    route('gemini-2.5-flash', providerDeployment('gemini', 'gemini', 'gemini-2.5-flash', gemini)),
  ]);
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await Promise.all([claude, gpt, compatible, gemini].map((upstream) => upstream?.close()));
});

function headers(requestId: string) {
  return { headers: { 'x-request-id': requestId } };
}

function recorded(requestId: string): Promise<PromptCallEvent> {
  return promptCallOf(gateway.reader, requestId);
}

/** A provider's recorded stream, framed as the provider frames it. */
function recordedStream(wire: WireFormat, fixture: string) {
  return {
    type: 'sse' as const,
    events: chunkFixture(wire.provider, fixture).map((data) => wire.frame(data)),
  };
}

/** A provider's recorded stream, cut in the middle of the event after the first `events`. */
function cutStream(wire: WireFormat, fixture: string, events: number) {
  return { ...recordedStream(wire, fixture), cutAfter: events };
}

describe('Anthropic prompt caching', () => {
  it('records cache reads and 5-minute and 1-hour writes, and tells /v1/messages clients each apart', async () => {
    claude.reply({ type: 'json', body: jsonFixture('anthropic', 'messages-cache-write') });
    const requestId = newRequestId('claude-cache');
    const message = await gateway.anthropic.messages.create(
      { model: 'claude-sonnet-4-5', max_tokens: 100, messages: QUESTION },
      headers(requestId),
    );
    expect(message.usage).toMatchObject({
      input_tokens: 12,
      cache_read_input_tokens: 2000,
      cache_creation_input_tokens: 3000,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
      output_tokens: 16,
    });
    const event = await recorded(requestId);
    expect(event).toMatchObject({
      input_tokens: 5012,
      cached_tokens: 2000,
      cache_write_5m_tokens: 1000,
      cache_write_1h_tokens: 2000,
      output_tokens: 16,
      estimated_usage: [],
      cost_unpriced: false,
    });
    // 5-minute writes at 3.75, 1-hour writes at 6 (claude-sonnet-4-5's list prices).
    expect(event.cost_nanos).toBe(
      12 * per(3) + 2000 * per(0.3) + 1000 * per(3.75) + 2000 * per(6) + 16 * per(15),
    );
  });

  it('streams the real prompt usage in message_start and the whole usage at the end', async () => {
    claude.reply(recordedStream(claude.wire, 'messages-cache-write'));
    const requestId = newRequestId('claude-cache-stream');
    const stream = gateway.anthropic.messages.stream(
      { model: 'claude-sonnet-4-5', max_tokens: 100, messages: QUESTION },
      headers(requestId),
    );
    let startUsage: unknown;
    stream.on('streamEvent', (event) => {
      if (event.type === 'message_start') startUsage = event.message.usage;
    });
    const message = await stream.finalMessage();
    expect(startUsage).toMatchObject({
      input_tokens: 12,
      cache_read_input_tokens: 2000,
      cache_creation_input_tokens: 3000,
    });
    expect(message.usage).toMatchObject({
      input_tokens: 12,
      cache_read_input_tokens: 2000,
      cache_creation_input_tokens: 3000,
      output_tokens: 16,
    });
    const event = await recorded(requestId);
    expect(event).toMatchObject({
      input_tokens: 5012,
      cached_tokens: 2000,
      cache_write_5m_tokens: 1000,
      cache_write_1h_tokens: 2000,
      output_tokens: 16,
      estimated_usage: [],
    });
  });

  it('charges a stream cut after message_start for the cached prompt Anthropic reported, and estimates only the output', async () => {
    // message_start, content_block_start, ping, one text delta; then the connection drops.
    claude.reply(cutStream(claude.wire, 'messages-cache-write', 4));
    const requestId = newRequestId('claude-cut');
    const { text, error } = await drainMessages(
      await gateway.anthropic.messages.create(
        { model: 'claude-sonnet-4-5', max_tokens: 100, messages: QUESTION, stream: true },
        headers(requestId),
      ),
    );
    expect(error).toBeDefined();
    expect(text).toBe("The contract's termination clause");
    const output = countTokens("The contract's termination clause");
    const event = await recorded(requestId);
    expect(event).toMatchObject({
      status: 'error',
      input_tokens: 5012,
      cached_tokens: 2000,
      cache_write_5m_tokens: 1000,
      cache_write_1h_tokens: 2000,
      output_tokens: output,
      estimated_usage: ['output'],
    });
    expect(event.cost_nanos).toBe(
      12 * per(3) + 2000 * per(0.3) + 1000 * per(3.75) + 2000 * per(6) + output * per(15),
    );
  });
});

describe('a stream that stops part-way', () => {
  const output = countTokens("The contract's termination clause");
  const reportedPrompt = {
    input_tokens: 5012,
    cached_tokens: 2000,
    cache_write_5m_tokens: 1000,
    cache_write_1h_tokens: 2000,
  };

  it("counts Anthropic's thinking, never passed on, when a stream is cut after it", async () => {
    // message_start, the thinking block (start, two thinking deltas, signature, stop), the text's start and delta.
    claude.reply(cutStream(claude.wire, 'messages-thinking', 8));
    const requestId = newRequestId('claude-cut-thinking');
    const { text, error } = await drainMessages(
      await gateway.anthropic.messages.create(
        { model: 'claude-sonnet-4-5', max_tokens: 2048, messages: QUESTION, stream: true },
        headers(requestId),
      ),
    );
    expect(error).toBeDefined();
    expect(text).toBe("30 days' written notice.");
    const thinking = countTokens(
      "The clause says either party may end the contract with notice. Thirty days, in writing, so the answer is 30 days' written notice.",
    );
    const output = thinking + countTokens("30 days' written notice.");
    const event = await recorded(requestId);
    expect(event).toMatchObject({
      input_tokens: 48,
      output_tokens: output,
      reasoning_tokens: thinking,
      estimated_usage: ['output'],
    });
    expect(event.cost_nanos).toBe(48 * per(3) + output * per(15));
  });

  it('keeps the reported prompt usage when the upstream stalls and the call times out', async () => {
    claude.reply({ ...recordedStream(claude.wire, 'messages-cache-write'), stallAfter: 4 });
    const requestId = newRequestId('claude-stall');
    const { text, error } = await drainMessages(
      await gateway.anthropic.messages.create(
        { model: 'claude-slow', max_tokens: 100, messages: QUESTION, stream: true },
        headers(requestId),
      ),
    );
    expect(error).toBeDefined();
    expect(text).toBe("The contract's termination clause");
    expect(await recorded(requestId)).toMatchObject({
      status: 'timeout',
      ...reportedPrompt,
      output_tokens: output,
      estimated_usage: ['output'],
    });
  });

  it('keeps the reported prompt usage when the client goes away', async () => {
    claude.reply({ ...recordedStream(claude.wire, 'messages-cache-write'), stallAfter: 4 });
    const requestId = newRequestId('claude-client-gone');
    const stream = gateway.anthropic.messages.stream(
      { model: 'claude-sonnet-4-5', max_tokens: 100, messages: QUESTION },
      headers(requestId),
    );
    await new Promise<void>((resolve) => stream.on('text', () => resolve()));
    stream.abort();
    await stream.done().catch(() => undefined);
    expect(await recorded(requestId)).toMatchObject({
      ...reportedPrompt,
      output_tokens: output,
      estimated_usage: ['output'],
    });
  });
});

describe('OpenAI usage details and service tier', () => {
  it('records cached input, reasoning tokens and the flex tier the answer says it used', async () => {
    gpt.reply({ type: 'json', body: jsonFixture('openai', 'chat-reasoning-flex') });
    const requestId = newRequestId('o4-flex');
    const completion = await gateway.openai.chat.completions.create(
      { model: 'o4-mini', messages: QUESTION, service_tier: 'flex' },
      headers(requestId),
    );
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(192);
    expect((gpt.lastRequest().json as { service_tier?: string }).service_tier).toBe('flex');
    const event = await recorded(requestId);
    expect(event).toMatchObject({
      input_tokens: 2048,
      cached_tokens: 1536,
      output_tokens: 212,
      reasoning_tokens: 192,
      service_tier: 'flex',
      estimated_usage: [],
    });
    // Flex: o4-mini lists no flex rates, so OpenAI's rule applies (half the standard price).
    expect(event.cost_nanos).toBe((512 * per(1.1) + 1536 * per(0.275) + 212 * per(4.4)) / 2);
  });

  it('records a stream’s cached tokens and tier from its usage chunk', async () => {
    gpt.reply(recordedStream(gpt.wire, 'chat-cached'));
    const requestId = newRequestId('gpt-cached-stream');
    const { error } = await drainChat(
      await gateway.openai.chat.completions.create(
        { model: 'gpt-4o', messages: QUESTION, stream: true },
        headers(requestId),
      ),
    );
    expect(error).toBeUndefined();
    const event = await recorded(requestId);
    expect(event).toMatchObject({
      input_tokens: 2006,
      cached_tokens: 1920,
      output_tokens: 11,
      service_tier: 'default',
      estimated_usage: [],
    });
    expect(event.cost_nanos).toBe(86 * per(2.5) + 1920 * per(1.25) + 11 * per(10));
  });

  it('counts the tool-call arguments a cut stream delivered', async () => {
    gpt.reply(cutStream(gpt.wire, 'chat-tool', 3));
    const request = {
      model: 'gpt-4o',
      messages: [{ role: 'user' as const, content: 'What is the weather in Paris?' }],
      stream: true as const,
    };
    const requestId = newRequestId('gpt-cut-tool');
    const { error } = await drainChat(
      await gateway.openai.chat.completions.create(request, headers(requestId)),
    );
    expect(error).toBeDefined();
    const delivered = chunkFixture('openai', 'chat-tool')
      .slice(0, 3)
      .flatMap((line) => (JSON.parse(line) as ToolChunk).choices[0]?.delta.tool_calls ?? [])
      .map((call) => (call.function?.name ?? '') + (call.function?.arguments ?? ''))
      .join('');
    const output = countTokens(delivered);
    const input = lazyTokenCounter.countPrompt(request);
    expect(output).toBeGreaterThan(2);
    const event = await recorded(requestId);
    expect(event).toMatchObject({
      input_tokens: input,
      output_tokens: output,
      estimated_usage: ['input', 'output'],
      cost_unpriced: false,
    });
    expect(event.cost_nanos).toBe(input * per(2.5) + output * per(10));
  });
});

interface ToolChunk {
  choices: { delta: { tool_calls?: { function?: { name?: string; arguments?: string } }[] } }[];
}

describe('an upstream that reports no usage', () => {
  it('counts reasoning_content and tool-call arguments of a stream without usage, as estimated', async () => {
    compatible.reply(recordedStream(compatible.wire, 'chat-reasoning-tool'));
    const request = {
      model: 'deepseek-reasoner',
      messages: [{ role: 'user' as const, content: 'What is the weather in Paris?' }],
      stream: true as const,
    };
    const requestId = newRequestId('deepseek-no-usage');
    const { error } = await drainChat(
      await gateway.openai.chat.completions.create(request, headers(requestId)),
    );
    expect(error).toBeUndefined();
    const reasoning = countTokens(
      'The user asks for the weather in Paris, so I should call the weather tool with the city and the unit they prefer.',
    );
    const toolCall = countTokens('get_weather{"city": "Paris", "unit": "celsius"}');
    const event = await recorded(requestId);
    expect(event).toMatchObject({
      input_tokens: lazyTokenCounter.countPrompt(request),
      output_tokens: reasoning + toolCall,
      reasoning_tokens: reasoning,
      estimated_usage: ['input', 'output'],
    });
  });

  it('fills a whole answer without usage by the tokenizer, priced and flagged, never $0', async () => {
    const { usage: _usage, ...answer } = jsonFixture('openai-compatible', 'chat-text') as Record<
      string,
      unknown
    >;
    compatible.reply({ type: 'json', body: answer });
    const requestId = newRequestId('vllm-no-usage');
    const completion = await gateway.openai.chat.completions.create(
      { model: 'gpt-4o-compatible', messages: QUESTION },
      headers(requestId),
    );
    const content = completion.choices[0]?.message.content ?? '';
    const input = lazyTokenCounter.countPrompt({ model: 'gpt-4o', messages: QUESTION });
    const output = countTokens(content);
    const event = await recorded(requestId);
    expect(event).toMatchObject({
      input_tokens: input,
      output_tokens: output,
      estimated_usage: ['input', 'output'],
      cost_unpriced: false,
    });
    expect(event.cost_nanos).toBe(input * per(2.5) + output * per(10));
    expect(event.cost_nanos).toBeGreaterThan(0);
  });
});

describe('Gemini cached content and thoughts', () => {
  it('records cached content and thought tokens as output', async () => {
    gemini.reply({ type: 'json', body: jsonFixture('gemini', 'generate-cached') });
    const requestId = newRequestId('gemini-cached');
    await gateway.openai.chat.completions.create(
      { model: 'gemini-2.5-flash', messages: QUESTION },
      headers(requestId),
    );
    const event = await recorded(requestId);
    expect(event).toMatchObject({
      input_tokens: 4100,
      cached_tokens: 4000,
      output_tokens: 320,
      reasoning_tokens: 308,
      estimated_usage: [],
    });
    expect(event.cost_nanos).toBe(100 * per(0.3) + 4000 * per(0.03) + 320 * per(2.5));
  });

  it('keeps the prompt and thought tokens a cut stream already reported', async () => {
    // The first chunk ("Hello! How", 19 prompt tokens of which 4 cached, 23 thoughts); then the connection drops.
    gemini.reply(cutStream(gemini.wire, 'generate-text', 1));
    const requestId = newRequestId('gemini-cut');
    const { text, error } = await drainChat(
      await gateway.openai.chat.completions.create(
        { model: 'gemini-2.5-flash', messages: QUESTION, stream: true },
        headers(requestId),
      ),
    );
    expect(error).toBeDefined();
    expect(text).toBe('Hello! How');
    const output = 23 + countTokens('Hello! How');
    const event = await recorded(requestId);
    expect(event).toMatchObject({
      input_tokens: 19,
      cached_tokens: 4,
      output_tokens: output,
      reasoning_tokens: 23,
      estimated_usage: ['output'],
    });
    expect(event.cost_nanos).toBe(15 * per(0.3) + 4 * per(0.03) + output * per(2.5));
  });
});
