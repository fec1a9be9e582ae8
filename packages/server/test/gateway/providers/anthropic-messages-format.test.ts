/**
 * Tollgate's own `/v1/messages` endpoint format: Anthropic request → canonical
 * request → (anthropic provider) → Anthropic request again, and canonical
 * responses and chunks → Anthropic messages and SSE events.
 */
import type { OpenAIChatChunk, OpenAIChatRequest } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import {
  convertAnthropicMessagesRequest,
  convertToAnthropicMessagesResponse,
  parseAnthropicMessagesRequest,
} from '../../../src/gateway/formats/anthropic-messages';
import {
  formatAnthropicSse,
  toAnthropicStreamEvents,
} from '../../../src/gateway/formats/anthropic-messages-stream';
import type {
  AnthropicRequest,
  AnthropicResponse,
  AnthropicStreamEvent,
} from '../../../src/gateway/providers/anthropic/anthropic-api';
import { convertAnthropicStream } from '../../../src/gateway/providers/anthropic/anthropic-stream';
import { convertAnthropicResponse } from '../../../src/gateway/providers/anthropic/convert-anthropic-response';
import { convertToAnthropicRequest } from '../../../src/gateway/providers/anthropic/convert-to-anthropic-request';
import type { SseEvent } from '../../../src/gateway/providers/sse-parser';
import { chunkFixture, jsonFixture } from '../../helpers/upstreams/fixtures';

const ANTHROPIC_REQUEST: AnthropicRequest = {
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  system: 'You are a weather bot.',
  temperature: 0.3,
  top_p: 0.9,
  stop_sequences: ['END'],
  metadata: { user_id: 'user-42' },
  tools: [
    {
      name: 'get_weather',
      description: 'The current weather in a city',
      input_schema: {
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
      },
    },
  ],
  tool_choice: { type: 'any', disable_parallel_tool_use: true },
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Weather here?' },
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
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' },
        { type: 'text', text: 'Thanks!' },
      ],
    },
  ],
};

async function* sseEventsOf(lines: string[]): AsyncGenerator<SseEvent> {
  for (const data of lines) yield { event: undefined, data, id: undefined };
}

async function* chunksOf(lines: string[]): AsyncGenerator<OpenAIChatChunk> {
  for (const data of lines) if (data !== '[DONE]') yield JSON.parse(data) as OpenAIChatChunk;
}

async function eventsOf(chunks: AsyncIterable<OpenAIChatChunk>): Promise<AnthropicStreamEvent[]> {
  const events: AnthropicStreamEvent[] = [];
  for await (const event of toAnthropicStreamEvents(chunks, { model: 'claude-sonnet-4-5' }))
    events.push(event);
  return events;
}

describe('Anthropic Messages endpoint format', () => {
  it('converts a request to the canonical format', () => {
    expect(convertAnthropicMessagesRequest({ ...ANTHROPIC_REQUEST, stream: true })).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      temperature: 0.3,
      top_p: 0.9,
      stop: ['END'],
      user: 'user-42',
      stream: true,
      stream_options: { include_usage: true },
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'The current weather in a city',
            parameters: ANTHROPIC_REQUEST.tools?.[0]?.input_schema,
          },
        },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
      messages: [
        { role: 'system', content: 'You are a weather bot.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather here?' },
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
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: '18°C' },
        { role: 'user', content: 'Thanks!' },
      ],
    } satisfies OpenAIChatRequest);
  });

  it('round-trips a request through the canonical format back to the same Anthropic request', () => {
    const canonical = convertAnthropicMessagesRequest(ANTHROPIC_REQUEST);
    const { body } = convertToAnthropicRequest(canonical, {
      model: 'claude-sonnet-4-5',
      stream: false,
      defaultMaxTokens: 4096,
    });
    expect(body).toEqual(ANTHROPIC_REQUEST);
  });

  it('keeps prompt-caching markers on system blocks, text blocks and tools through the round trip', () => {
    const ephemeral = { type: 'ephemeral' };
    const cached: AnthropicRequest = {
      ...ANTHROPIC_REQUEST,
      system: [
        { type: 'text', text: 'You are a weather bot.' },
        { type: 'text', text: 'A long, stable preamble.', cache_control: ephemeral },
      ],
      tools: ANTHROPIC_REQUEST.tools?.map((tool) => ({ ...tool, cache_control: ephemeral })),
      messages: [
        {
          role: 'user',
          content: [{ type: 'text', text: 'A long document.', cache_control: ephemeral }],
        },
      ],
    };
    const canonical = convertAnthropicMessagesRequest(cached);
    const { body } = convertToAnthropicRequest(canonical, {
      model: 'claude-sonnet-4-5',
      stream: false,
      defaultMaxTokens: 4096,
    });
    expect(body).toEqual(cached);
  });

  it('round-trips a response: Anthropic → canonical → Anthropic', () => {
    const original = jsonFixture('anthropic', 'messages-tool') as AnthropicResponse;
    const canonical = convertAnthropicResponse(original, {
      created: 0,
      jsonResponseTool: undefined,
    });
    expect(convertToAnthropicMessagesResponse(canonical)).toEqual({
      id: original.id,
      type: 'message',
      role: 'assistant',
      model: original.model,
      content: original.content,
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 384,
        output_tokens: 58,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      },
    });
  });

  it('answers an OpenAI upstream response as an Anthropic message, cached tokens apart', () => {
    const canonical = jsonFixture('openai', 'chat-text') as Parameters<
      typeof convertToAnthropicMessagesResponse
    >[0];
    expect(convertToAnthropicMessagesResponse(canonical)).toMatchObject({
      content: [{ type: 'text', text: 'Hello! How can I help you today?' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 15, cache_read_input_tokens: 4, output_tokens: 10 },
    });
  });

  it('streams an OpenAI upstream tool call as Anthropic events', async () => {
    const events = await eventsOf(chunksOf(chunkFixture('openai', 'chat-tool')));
    expect(events).toEqual([
      {
        type: 'message_start',
        message: {
          id: 'chatcmpl-CXe7Ab1cD2eF3gH4iJ5kL6mN7oP',
          type: 'message',
          role: 'assistant',
          model: 'gpt-4o-mini-2024-07-18',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0 },
        },
      },
      { type: 'ping' },
      {
        type: 'content_block_start',
        index: 0,
        content_block: {
          type: 'tool_use',
          // Anthropic's form whoever serves the call, the same every time for the same upstream id.
          id: 'toolu_Qx8mB2vN5kLp3rT7yW1zA4cD',
          name: 'get_weather',
          input: {},
        },
      },
      ...['{"', 'city', '":"', 'Paris', '"}'].map((partial_json) => ({
        type: 'content_block_delta' as const,
        index: 0,
        delta: { type: 'input_json_delta' as const, partial_json },
      })),
      { type: 'content_block_stop', index: 0 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: {
          input_tokens: 61,
          output_tokens: 15,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
        },
      },
      { type: 'message_stop' },
    ]);
  });

  it('round-trips an Anthropic stream: text then tool use, in blocks, with usage at the end', async () => {
    const original = chunkFixture('anthropic', 'messages-tool').map(
      (line) => JSON.parse(line) as AnthropicStreamEvent,
    );
    const canonical = convertAnthropicStream(
      sseEventsOf(chunkFixture('anthropic', 'messages-tool')),
      {
        created: 0,
        jsonResponseTool: undefined,
      },
    );
    const events = await eventsOf(canonical);
    expect(events.map((event) => event.type)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const text = (list: AnthropicStreamEvent[]) =>
      list
        .map((event) =>
          event.type === 'content_block_delta' && event.delta.type === 'text_delta'
            ? event.delta.text
            : '',
        )
        .join('');
    const json = (list: AnthropicStreamEvent[]) =>
      list
        .map((event) =>
          event.type === 'content_block_delta' && event.delta.type === 'input_json_delta'
            ? event.delta.partial_json
            : '',
        )
        .join('');
    expect(text(events)).toBe(text(original));
    expect(json(events)).toBe(json(original));
    expect(
      events.find((event) => event.type === 'content_block_start' && event.index === 1),
    ).toEqual(original.find((event) => event.type === 'content_block_start' && event.index === 1));
    expect(events.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: {
        input_tokens: 384,
        output_tokens: 58,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      },
    });
  });

  it('frames events as Anthropic does', () => {
    expect(formatAnthropicSse({ type: 'message_stop' })).toBe(
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    );
  });

  it('validates incoming requests, naming the field', () => {
    expect(parseAnthropicMessagesRequest(ANTHROPIC_REQUEST).success).toBe(true);
    const { max_tokens: _maxTokens, ...withoutMaxTokens } = ANTHROPIC_REQUEST;
    const missing = parseAnthropicMessagesRequest(withoutMaxTokens);
    expect(!missing.success && missing.error.param).toBe('max_tokens');
    const badBlock = parseAnthropicMessagesRequest({
      ...ANTHROPIC_REQUEST,
      messages: [{ role: 'user', content: [{ type: 'tool_result' }] }],
    });
    expect(!badBlock.success && badBlock.error.param).toBe('messages[0].content[0].tool_use_id');
  });
});
