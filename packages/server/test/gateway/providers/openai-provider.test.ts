import { createProvider, createUpstreamDispatcher } from '../../../src/gateway/providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonFixture } from '../../helpers/upstreams/fixtures';
import { startOpenAIUpstream } from '../../helpers/upstreams/openai-upstream';
import type { ScriptedUpstream } from '../../helpers/upstreams/scripted-upstream';
import { HELLO_REQUEST, runProviderContract, upstreamErrorOf } from './provider-contract';
import { collectStream } from './collect-stream';
import type { Deployment } from '@tollgate/core';

const deploymentFor = (upstream: ScriptedUpstream): Deployment => ({
  id: 'openai-test',
  provider: 'openai',
  model: 'gpt-4o-mini',
  baseUrl: `${upstream.url}/v1`,
  apiKey: 'sk-test-key',
  headers: { 'openai-organization': 'org-tollgate' },
});

runProviderContract({
  name: 'openai',
  wire: true,
  embeddings: true,
  async start() {
    const upstream = await startOpenAIUpstream('openai');
    const dispatcher = createUpstreamDispatcher();
    return {
      provider: createProvider('openai', { dispatcher }),
      deployment: deploymentFor(upstream),
      upstream,
      close: async () => {
        await upstream.close();
        await dispatcher.close();
      },
    };
  },
});

describe('openai provider', () => {
  let upstream: ScriptedUpstream;
  let deployment: Deployment;
  const provider = createProvider('openai');
  const call = () => ({ deployment, signal: new AbortController().signal, requestId: 'request-1' });

  beforeAll(async () => {
    upstream = await startOpenAIUpstream('openai');
    deployment = deploymentFor(upstream);
  });
  afterAll(() => upstream.close());

  it('sends the request as it came, with the upstream model, key and deployment headers', async () => {
    upstream.script('text');
    await provider.chat(
      { ...HELLO_REQUEST, stream: false, logit_bias: { '50256': -100 }, reasoning_effort: 'low' },
      call(),
    );
    const request = upstream.lastRequest();
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer sk-test-key');
    expect(request.headers['openai-organization']).toBe('org-tollgate');
    expect(request.json).toEqual({
      model: 'gpt-4o-mini',
      messages: HELLO_REQUEST.messages,
      temperature: 0.2,
      // OpenAI refuses max_tokens on reasoning models; max_completion_tokens works everywhere.
      max_completion_tokens: 200,
      logit_bias: { '50256': -100 },
      reasoning_effort: 'low',
    });
  });

  it('returns the upstream bytes untouched beside the parsed response', async () => {
    upstream.script('text');
    const result = await provider.chat(HELLO_REQUEST, call());
    const fixture = jsonFixture('openai', 'chat-text');
    expect(result.rawBody?.toString('utf8')).toBe(JSON.stringify(fixture));
    expect(result.response).toEqual(fixture);
    expect(result.response.usage?.prompt_tokens_details?.cached_tokens).toBe(4);
  });

  it('always asks a stream for usage, and ends the stream with it', async () => {
    upstream.script('text-stream');
    const stream = await provider.streamChat({ ...HELLO_REQUEST, stream: true }, call());
    const collected = await collectStream(stream.chunks);
    expect(upstream.lastRequest().json).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(collected.text).toBe('Hello! How can I help you today?');
    expect(collected.chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: 29 } });
  });

  it('does not retry an exhausted quota, although it is a 429', async () => {
    upstream.reply({ type: 'json', status: 429, body: jsonFixture('openai', 'error-quota') });
    const error = await upstreamErrorOf(provider.chat(HELLO_REQUEST, call()));
    expect(error).toMatchObject({ status: 429, isRetryable: false, reason: 'quota_exceeded' });
  });

  it('recognises a refused key', async () => {
    upstream.reply({
      type: 'json',
      status: 401,
      body: jsonFixture('openai', 'error-authentication'),
    });
    const error = await upstreamErrorOf(provider.chat(HELLO_REQUEST, call()));
    expect(error).toMatchObject({ status: 401, isRetryable: false, reason: 'authentication' });
  });

  it('treats a 2xx body that is not JSON as a retryable failure', async () => {
    upstream.reply({ type: 'sse', events: ['<html>gateway</html>'] });
    const error = await upstreamErrorOf(provider.chat(HELLO_REQUEST, call()));
    expect(error).toMatchObject({ kind: 'http', status: 200, isRetryable: true });
  });

  it('sends embeddings to /embeddings with the upstream model', async () => {
    upstream.script('embeddings');
    const response = await provider.embed(
      { model: 'embedder', input: ['first', 'second'], dimensions: 4 },
      call(),
    );
    expect(upstream.lastRequest()).toMatchObject({
      url: '/v1/embeddings',
      json: { model: 'gpt-4o-mini', input: ['first', 'second'], dimensions: 4 },
    });
    expect(response.usage).toEqual({ prompt_tokens: 8, total_tokens: 8 });
  });
});
