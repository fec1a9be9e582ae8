import type { Deployment } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider, createUpstreamDispatcher } from '../../../src/gateway/providers';
import { chunkFixture, jsonFixture } from '../../helpers/upstreams/fixtures';
import { openAIWire, startOpenAIUpstream } from '../../helpers/upstreams/openai-upstream';
import type { ScriptedUpstream } from '../../helpers/upstreams/scripted-upstream';
import { collectStream } from './collect-stream';
import { HELLO_REQUEST, runProviderContract, upstreamErrorOf } from './provider-contract';

const deploymentFor = (upstream: ScriptedUpstream, apiKey?: string): Deployment => ({
  id: 'vllm-test',
  provider: 'openai-compatible',
  model: 'meta-llama/Llama-3.1-8B-Instruct',
  baseUrl: `${upstream.url}/v1/`,
  ...(apiKey ? { apiKey } : {}),
});

runProviderContract({
  name: 'openai-compatible',
  wire: true,
  embeddings: true,
  async start() {
    const upstream = await startOpenAIUpstream('openai-compatible');
    const dispatcher = createUpstreamDispatcher();
    return {
      provider: createProvider('openai-compatible', { dispatcher }),
      deployment: deploymentFor(upstream),
      upstream,
      close: async () => {
        await upstream.close();
        await dispatcher.close();
      },
    };
  },
});

describe('openai-compatible provider', () => {
  let upstream: ScriptedUpstream;
  const provider = createProvider('openai-compatible');
  const call = (deployment: Deployment) => ({
    deployment,
    signal: new AbortController().signal,
    requestId: 'request-1',
  });
  const frame = openAIWire('openai-compatible').frame;

  beforeAll(async () => {
    upstream = await startOpenAIUpstream('openai-compatible');
  });
  afterAll(() => upstream.close());

  it('needs no key, and sends one as a bearer token when it has one', async () => {
    upstream.script('text');
    upstream.script('text');
    await provider.chat(HELLO_REQUEST, call(deploymentFor(upstream)));
    expect(upstream.lastRequest().headers.authorization).toBeUndefined();
    await provider.chat(HELLO_REQUEST, call(deploymentFor(upstream, 'gsk_test')));
    expect(upstream.lastRequest()).toMatchObject({
      url: '/v1/chat/completions',
      headers: { authorization: 'Bearer gsk_test' },
    });
    expect(upstream.lastRequest().json).toMatchObject({
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      max_tokens: 200,
    });
  });

  it("reads vLLM's flat error and Ollama's string error", async () => {
    upstream.script('context-window');
    const contextError = await upstreamErrorOf(
      provider.chat(HELLO_REQUEST, call(deploymentFor(upstream))),
    );
    expect(contextError.reason).toBe('context_window_exceeded');
    expect(contextError.message).toContain('maximum context length is 8192 tokens');

    upstream.reply({
      type: 'json',
      status: 404,
      body: jsonFixture('openai-compatible', 'error-model-not-found'),
    });
    const notFound = await upstreamErrorOf(
      provider.chat(HELLO_REQUEST, call(deploymentFor(upstream))),
    );
    expect(notFound).toMatchObject({ status: 404, reason: 'model_not_found', isRetryable: false });
    expect(notFound.message).toContain('model "llama9" not found');
  });

  it('accepts a stream that ends without [DONE] once a finish reason came', async () => {
    const events = chunkFixture('openai-compatible', 'chat-text').filter(
      (data) => data !== '[DONE]',
    );
    upstream.reply({ type: 'sse', events: events.map(frame) });
    const stream = await provider.streamChat(
      { ...HELLO_REQUEST, stream: true },
      call(deploymentFor(upstream)),
    );
    const collected = await collectStream(stream.chunks);
    expect(collected).toMatchObject({
      text: 'Hello! How can I help you today?',
      finishReason: 'stop',
    });
  });

  it('normalises finish reasons and fills a missing total', async () => {
    const response = jsonFixture('openai-compatible', 'chat-text') as Record<string, unknown>;
    upstream.reply({
      type: 'json',
      body: {
        ...response,
        choices: [
          { index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'eos' },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 1 },
      },
    });
    const result = await provider.chat(HELLO_REQUEST, call(deploymentFor(upstream)));
    expect(result.response.choices[0]?.finish_reason).toBe('stop');
    expect(result.response.usage).toEqual({
      prompt_tokens: 5,
      completion_tokens: 1,
      total_tokens: 6,
    });
  });
});
