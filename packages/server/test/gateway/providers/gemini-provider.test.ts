import { isInvalidRequestError } from '@tollgate/core';
import type { Deployment, OpenAIChatRequest } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider, createUpstreamDispatcher } from '../../../src/gateway/providers';
import { mapGeminiFinishReason } from '../../../src/gateway/providers/gemini/map-gemini-finish-reason';
import { jsonFixture } from '../../helpers/upstreams/fixtures';
import { startGeminiUpstream } from '../../helpers/upstreams/gemini-upstream';
import type { ScriptedUpstream } from '../../helpers/upstreams/scripted-upstream';
import { collectStream } from './collect-stream';
import {
  HELLO_REQUEST,
  WEATHER_TOOL,
  runProviderContract,
  upstreamErrorOf,
} from './provider-contract';

const deploymentFor = (upstream: ScriptedUpstream): Deployment => ({
  id: 'gemini-test',
  provider: 'gemini',
  model: 'models/gemini-2.5-flash',
  baseUrl: `${upstream.url}/v1beta`,
  apiKey: 'AIza-test',
});

runProviderContract({
  name: 'gemini',
  wire: true,
  embeddings: true,
  async start() {
    const upstream = await startGeminiUpstream();
    const dispatcher = createUpstreamDispatcher();
    return {
      provider: createProvider('gemini', { dispatcher }),
      deployment: deploymentFor(upstream),
      upstream,
      close: async () => {
        await upstream.close();
        await dispatcher.close();
      },
    };
  },
});

describe('gemini provider', () => {
  let upstream: ScriptedUpstream;
  let deployment: Deployment;
  const provider = createProvider('gemini');
  const call = () => ({ deployment, signal: new AbortController().signal, requestId: 'request-1' });

  beforeAll(async () => {
    upstream = await startGeminiUpstream();
    deployment = deploymentFor(upstream);
  });
  afterAll(() => upstream.close());

  it('translates a conversation into generateContent', async () => {
    upstream.script('text');
    const request: OpenAIChatRequest = {
      model: 'tollgate-model',
      messages: [
        { role: 'system', content: 'You are a weather bot.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather here?' },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"celsius":18}' },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      ],
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      temperature: 0.3,
      top_p: 0.8,
      max_completion_tokens: 300,
      stop: ['END'],
      seed: 7,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'w', schema: { type: 'object' } },
      },
    };
    await provider.chat(request, call());
    const sent = upstream.lastRequest();
    expect(sent.url).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(sent.headers['x-goog-api-key']).toBe('AIza-test');
    expect(sent.json).toEqual({
      systemInstruction: { parts: [{ text: 'You are a weather bot.' }] },
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'Weather here?' },
            { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } },
          ],
        },
        {
          role: 'model',
          parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_weather', response: { celsius: 18 } } },
            { functionResponse: { name: 'get_weather', response: { content: 'sunny' } } },
          ],
        },
      ],
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'The current weather in a city',
              parametersJsonSchema: WEATHER_TOOL.function.parameters,
            },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
      generationConfig: {
        temperature: 0.3,
        topP: 0.8,
        maxOutputTokens: 300,
        stopSequences: ['END'],
        seed: 7,
        responseMimeType: 'application/json',
        responseJsonSchema: { type: 'object' },
      },
    });
  });

  it('streams from streamGenerateContent with alt=sse', async () => {
    upstream.script('text-stream');
    const stream = await provider.streamChat({ ...HELLO_REQUEST, stream: true }, call());
    await collectStream(stream.chunks);
    expect(upstream.lastRequest().url).toBe(
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    );
  });

  it('counts thinking tokens as output, told apart as reasoning, and cached tokens inside the prompt', async () => {
    upstream.script('text');
    const { response } = await provider.chat(HELLO_REQUEST, call());
    expect(response.usage).toEqual({
      prompt_tokens: 19,
      completion_tokens: 33,
      total_tokens: 52,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 23 },
    });
    expect(response).toMatchObject({
      id: 'chatcmpl-mYkjaZ2_Mrqbz7IPnP2BwQ4',
      model: 'gemini-2.5-flash',
    });
  });

  it('answers a blocked prompt with finish reason content_filter', async () => {
    upstream.reply({ type: 'json', body: jsonFixture('gemini', 'generate-blocked') });
    const { response } = await provider.chat(HELLO_REQUEST, call());
    expect(response.choices).toEqual([
      { index: 0, message: { role: 'assistant', content: null }, finish_reason: 'content_filter' },
    ]);
  });

  it('retries an overloaded model', async () => {
    upstream.reply({ type: 'json', status: 503, body: jsonFixture('gemini', 'error-overloaded') });
    const error = await upstreamErrorOf(provider.chat(HELLO_REQUEST, call()));
    expect(error).toMatchObject({ status: 503, isRetryable: true, reason: 'overloaded' });
  });

  it('refuses a tool result that answers no earlier call', async () => {
    const error = await provider
      .chat(
        { model: 'm', messages: [{ role: 'tool', tool_call_id: 'nope', content: 'x' }] },
        call(),
      )
      .catch((rejection: unknown) => rejection);
    expect(isInvalidRequestError(error) && error.param).toBe('messages[0].tool_call_id');
  });

  it('embeds in one batch and encodes base64 when asked', async () => {
    upstream.script('embeddings');
    const response = await provider.embed(
      { model: 'embedder', input: ['first', 'second'], encoding_format: 'base64', dimensions: 4 },
      call(),
    );
    expect(upstream.lastRequest()).toMatchObject({
      url: '/v1beta/models/gemini-2.5-flash:batchEmbedContents',
      json: {
        requests: [
          {
            model: 'models/gemini-2.5-flash',
            content: { parts: [{ text: 'first' }] },
            outputDimensionality: 4,
          },
          {
            model: 'models/gemini-2.5-flash',
            content: { parts: [{ text: 'second' }] },
            outputDimensionality: 4,
          },
        ],
      },
    });
    const first = response.data[0]?.embedding as string;
    const floats = new Float32Array(Uint8Array.from(Buffer.from(first, 'base64')).buffer);
    expect(Array.from(floats)).toEqual([0.0131, -0.0087, -0.0421, 0.0009].map(Math.fround));
    expect(response.usage.prompt_tokens).toBe(2);
  });

  it('maps finish reasons, with a fallback', () => {
    expect(mapGeminiFinishReason('STOP', false)).toBe('stop');
    expect(mapGeminiFinishReason('STOP', true)).toBe('tool_calls');
    expect(mapGeminiFinishReason('MAX_TOKENS', false)).toBe('length');
    expect(mapGeminiFinishReason('SAFETY', false)).toBe('content_filter');
    expect(mapGeminiFinishReason('PROHIBITED_CONTENT', false)).toBe('content_filter');
    expect(mapGeminiFinishReason('SOMETHING_NEW', false)).toBe('stop');
    expect(mapGeminiFinishReason(undefined, true)).toBe('tool_calls');
  });
});
