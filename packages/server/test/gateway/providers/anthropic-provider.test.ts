import { isInvalidRequestError } from '@tollgate/core';
import type { Deployment, OpenAIChatRequest } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider, createUpstreamDispatcher } from '../../../src/gateway/providers';
import {
  mapAnthropicStopReason,
  toAnthropicStopReason,
} from '../../../src/gateway/providers/anthropic/map-anthropic-finish-reason';
import { anthropicWire, startAnthropicUpstream } from '../../helpers/upstreams/anthropic-upstream';
import { jsonFixture } from '../../helpers/upstreams/fixtures';
import type { ScriptedUpstream } from '../../helpers/upstreams/scripted-upstream';
import { collectStream } from './collect-stream';
import {
  HELLO_REQUEST,
  WEATHER_TOOL,
  runProviderContract,
  upstreamErrorOf,
} from './provider-contract';

const deploymentFor = (upstream: ScriptedUpstream): Deployment => ({
  id: 'anthropic-test',
  provider: 'anthropic',
  model: 'claude-sonnet-4-5',
  baseUrl: upstream.url,
  apiKey: 'sk-ant-test',
});

runProviderContract({
  name: 'anthropic',
  wire: true,
  embeddings: false,
  async start() {
    const upstream = await startAnthropicUpstream();
    const dispatcher = createUpstreamDispatcher();
    return {
      provider: createProvider('anthropic', { dispatcher }),
      deployment: deploymentFor(upstream),
      upstream,
      close: async () => {
        await upstream.close();
        await dispatcher.close();
      },
    };
  },
});

const CONVERSATION: OpenAIChatRequest = {
  model: 'tollgate-model',
  messages: [
    { role: 'system', content: 'You are a weather bot.' },
    { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Weather where these are?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        { type: 'image_url', image_url: { url: 'https://example.com/paris.jpg' } },
      ],
    },
    {
      role: 'assistant',
      content: 'Let me look.',
      tool_calls: [
        {
          id: 'toolu_1',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
        },
        {
          id: 'toolu_2',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Lyon"}' },
        },
      ],
    },
    { role: 'tool', tool_call_id: 'toolu_1', content: '18°C' },
    { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '21°C' }] },
    { role: 'user', content: 'Thanks!' },
  ],
  tools: [WEATHER_TOOL],
  tool_choice: { type: 'function', function: { name: 'get_weather' } },
  parallel_tool_calls: false,
  stop: 'END',
  user: 'user-42',
  top_p: 0.9,
};

describe('anthropic provider', () => {
  let upstream: ScriptedUpstream;
  let deployment: Deployment;
  const provider = createProvider('anthropic');
  const call = () => ({ deployment, signal: new AbortController().signal, requestId: 'request-1' });

  beforeAll(async () => {
    upstream = await startAnthropicUpstream();
    deployment = deploymentFor(upstream);
  });
  afterAll(() => upstream.close());

  it('translates a conversation into a Messages API request', async () => {
    upstream.script('tool');
    await provider.chat(CONVERSATION, call());
    const request = upstream.lastRequest();
    expect(request.url).toBe('/v1/messages');
    expect(request.headers['x-api-key']).toBe('sk-ant-test');
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    expect(request.json).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      system: 'You are a weather bot.\n\nAnswer in French.',
      top_p: 0.9,
      stop_sequences: ['END'],
      metadata: { user_id: 'user-42' },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather where these are?' },
            {
              type: 'image',
              source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' },
            },
            { type: 'image', source: { type: 'url', url: 'https://example.com/paris.jpg' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Let me look.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Lyon' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: '21°C' },
            { type: 'text', text: 'Thanks!' },
          ],
        },
      ],
      tools: [
        {
          name: 'get_weather',
          description: 'The current weather in a city',
          input_schema: WEATHER_TOOL.function.parameters,
        },
      ],
      tool_choice: { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true },
    });
  });

  it('maps tool_choice strings and takes max_tokens from the request or the deployment', async () => {
    upstream.script('text');
    upstream.script('text');
    await provider.chat(
      {
        ...HELLO_REQUEST,
        tools: [WEATHER_TOOL],
        tool_choice: 'required',
        max_completion_tokens: 50,
      },
      call(),
    );
    expect(upstream.lastRequest().json).toMatchObject({
      tool_choice: { type: 'any' },
      max_tokens: 50,
    });
    const { max_tokens: _maxTokens, ...withoutLimit } = HELLO_REQUEST;
    await provider.chat(
      { ...withoutLimit, tools: [WEATHER_TOOL], tool_choice: 'none' },
      { ...call(), deployment: { ...deployment, options: { defaultMaxTokens: 1024 } } },
    );
    expect(upstream.lastRequest().json).toMatchObject({
      tool_choice: { type: 'none' },
      max_tokens: 1024,
    });
  });

  it('counts cache reads and writes into the prompt tokens', async () => {
    const fixture = jsonFixture('anthropic', 'messages-text') as Record<string, unknown>;
    upstream.reply({
      type: 'json',
      body: {
        ...fixture,
        usage: {
          input_tokens: 15,
          cache_read_input_tokens: 4,
          cache_creation_input_tokens: 6,
          output_tokens: 10,
        },
      },
    });
    const { response } = await provider.chat(HELLO_REQUEST, call());
    expect(response.usage).toEqual({
      prompt_tokens: 25,
      completion_tokens: 10,
      total_tokens: 35,
      // Without Anthropic's `cache_creation` split, every write is a 5-minute write.
      prompt_tokens_details: {
        cached_tokens: 4,
        cache_write_5m_tokens: 6,
        cache_write_1h_tokens: 0,
      },
    });
    expect(response).toMatchObject({
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      model: 'claude-sonnet-4-5-20250929',
    });
  });

  it('returns text beside tool calls', async () => {
    upstream.script('tool');
    const { response } = await provider.chat(HELLO_REQUEST, call());
    expect(response.choices[0]?.message).toEqual({
      role: 'assistant',
      content: "I'll check the weather in Paris.",
      tool_calls: [
        {
          id: 'toolu_01A09q90qw90lq917835lq9',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
        },
      ],
    });
  });

  it('answers a JSON schema response format through a forced tool, streamed or not', async () => {
    const request: OpenAIChatRequest = {
      ...HELLO_REQUEST,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'weather',
          schema: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    };
    const toolAnswer = jsonFixture('anthropic', 'messages-tool') as { content: { type: string }[] };
    upstream.reply({
      type: 'json',
      body: {
        ...toolAnswer,
        content: [
          { type: 'tool_use', id: 'toolu_9', name: 'json_response', input: { city: 'Paris' } },
        ],
      },
    });
    const { response } = await provider.chat(request, call());
    expect(upstream.lastRequest().json).toMatchObject({
      tools: [{ name: 'json_response', input_schema: { type: 'object' } }],
      tool_choice: { type: 'tool', name: 'json_response' },
    });
    expect(response.choices[0]).toMatchObject({
      message: { content: '{"city":"Paris"}' },
      finish_reason: 'stop',
    });
    expect(response.choices[0]?.message.tool_calls).toBeUndefined();

    upstream.reply({
      type: 'sse',
      events: [
        { type: 'message_start', message: { ...toolAnswer, content: [], stop_reason: null } },
        {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'tool_use', id: 'toolu_9', name: 'json_response', input: {} },
        },
        {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'input_json_delta', partial_json: '{"city": ' },
        },
        {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'input_json_delta', partial_json: '"Paris"}' },
        },
        { type: 'content_block_stop', index: 0 },
        {
          type: 'message_delta',
          delta: { stop_reason: 'tool_use', stop_sequence: null },
          usage: { output_tokens: 9 },
        },
        { type: 'message_stop' },
      ].map((event) => anthropicWire.frame(JSON.stringify(event))),
    });
    const stream = await provider.streamChat({ ...request, stream: true }, call());
    const collected = await collectStream(stream.chunks);
    expect(collected).toMatchObject({
      text: '{"city": "Paris"}',
      finishReason: 'stop',
      toolCalls: [],
    });
  });

  it('refuses what Anthropic cannot do as an invalid request', async () => {
    const error = await provider
      .chat({ ...HELLO_REQUEST, n: 2 }, call())
      .catch((rejection: unknown) => rejection);
    expect(isInvalidRequestError(error) && error.param).toBe('n');
    await expect(provider.embed({ model: 'x', input: 'hello' }, call())).rejects.toThrow(
      /no embeddings API/,
    );
    const badArguments: OpenAIChatRequest = {
      model: 'm',
      messages: [
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '[1' } }],
        },
      ],
    };
    const argumentsError = await provider
      .chat(badArguments, call())
      .catch((rejection: unknown) => rejection);
    expect(isInvalidRequestError(argumentsError) && argumentsError.param).toBe(
      'messages[0].tool_calls[0].function.arguments',
    );
  });

  it('retries an overloaded Anthropic (529)', async () => {
    upstream.reply({
      type: 'json',
      status: 529,
      body: jsonFixture('anthropic', 'error-overloaded'),
    });
    const error = await upstreamErrorOf(provider.chat(HELLO_REQUEST, call()));
    expect(error).toMatchObject({ status: 529, isRetryable: true, reason: 'overloaded' });
    expect(error.message).toBe('anthropic HTTP 529: Overloaded');
  });

  it('maps every stop reason, with a fallback, and back', () => {
    expect(mapAnthropicStopReason('end_turn')).toBe('stop');
    expect(mapAnthropicStopReason('stop_sequence')).toBe('stop');
    expect(mapAnthropicStopReason('max_tokens')).toBe('length');
    expect(mapAnthropicStopReason('model_context_window_exceeded')).toBe('length');
    expect(mapAnthropicStopReason('tool_use')).toBe('tool_calls');
    expect(mapAnthropicStopReason('refusal')).toBe('content_filter');
    expect(mapAnthropicStopReason('pause_turn')).toBe('stop');
    expect(mapAnthropicStopReason('something_new')).toBe('stop');
    expect(mapAnthropicStopReason(null)).toBe('stop');
    expect(toAnthropicStopReason('stop')).toBe('end_turn');
    expect(toAnthropicStopReason('length')).toBe('max_tokens');
    expect(toAnthropicStopReason('tool_calls')).toBe('tool_use');
    expect(toAnthropicStopReason('function_call')).toBe('tool_use');
    expect(toAnthropicStopReason('content_filter')).toBe('refusal');
    expect(toAnthropicStopReason(null)).toBe('end_turn');
  });
});
