import type { Deployment } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider, createUpstreamDispatcher } from '../../../src/gateway/providers';
import { jsonFixture } from '../../helpers/upstreams/fixtures';
import { startOpenAIUpstream } from '../../helpers/upstreams/openai-upstream';
import type { ScriptedUpstream } from '../../helpers/upstreams/scripted-upstream';
import { collectStream } from './collect-stream';
import { HELLO_REQUEST, runProviderContract, upstreamErrorOf } from './provider-contract';

const deploymentFor = (upstream: ScriptedUpstream): Deployment => ({
  id: 'azure-test',
  provider: 'azure-openai',
  model: 'my-gpt-4o-mini',
  baseUrl: upstream.url,
  apiKey: 'azure-test-key',
});

runProviderContract({
  name: 'azure-openai',
  wire: true,
  embeddings: true,
  async start() {
    const upstream = await startOpenAIUpstream('azure-openai');
    const dispatcher = createUpstreamDispatcher();
    return {
      provider: createProvider('azure-openai', { dispatcher }),
      deployment: deploymentFor(upstream),
      upstream,
      close: async () => {
        await upstream.close();
        await dispatcher.close();
      },
    };
  },
});

describe('azure-openai provider', () => {
  let upstream: ScriptedUpstream;
  let deployment: Deployment;
  const provider = createProvider('azure-openai');
  const call = (override: Partial<Deployment> = {}) => ({
    deployment: { ...deployment, ...override },
    signal: new AbortController().signal,
    requestId: 'request-1',
  });

  beforeAll(async () => {
    upstream = await startOpenAIUpstream('azure-openai');
    deployment = deploymentFor(upstream);
  });
  afterAll(() => upstream.close());

  it('calls the deployment URL with the api-version and an api-key header', async () => {
    upstream.script('text');
    await provider.chat(HELLO_REQUEST, call());
    const request = upstream.lastRequest();
    expect(request.url).toBe(
      '/openai/deployments/my-gpt-4o-mini/chat/completions?api-version=2024-10-21',
    );
    expect(request.headers['api-key']).toBe('azure-test-key');
    expect(request.headers.authorization).toBeUndefined();
    // Older api-versions refuse max_completion_tokens, so the client's field goes as it came.
    expect(request.json).toMatchObject({ max_tokens: 200, model: 'my-gpt-4o-mini' });
  });

  it('uses the deployment api-version for chat and embeddings', async () => {
    upstream.script('embeddings');
    await provider.embed(
      { model: 'embedder', input: 'hello' },
      call({ apiVersion: '2025-04-01-preview' }),
    );
    expect(upstream.lastRequest().url).toBe(
      '/openai/deployments/my-gpt-4o-mini/embeddings?api-version=2025-04-01-preview',
    );
  });

  it("drops the stream's prompt-filter chunk, which has no choices", async () => {
    upstream.script('text-stream');
    const stream = await provider.streamChat({ ...HELLO_REQUEST, stream: true }, call());
    const collected = await collectStream(stream.chunks);
    expect(collected.chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(collected.chunks.every((chunk) => chunk.choices.length > 0 || chunk.usage)).toBe(true);
  });

  it('recognises its content filter from the inner error', async () => {
    upstream.script('content-policy');
    const error = await upstreamErrorOf(provider.chat(HELLO_REQUEST, call()));
    expect(error).toMatchObject({ status: 400, reason: 'content_policy', isRetryable: false });
    expect(error.message).toContain('content management policy');
  });

  it('says a missing deployment is not found, and not worth retrying', async () => {
    upstream.reply({
      type: 'json',
      status: 404,
      body: jsonFixture('azure-openai', 'error-deployment-not-found'),
    });
    const error = await upstreamErrorOf(provider.chat(HELLO_REQUEST, call()));
    expect(error).toMatchObject({ status: 404, reason: 'model_not_found', isRetryable: false });
  });

  it('needs a base URL', async () => {
    await expect(provider.chat(HELLO_REQUEST, call({ baseUrl: undefined }))).rejects.toThrow(
      /needs a baseUrl/,
    );
  });
});
