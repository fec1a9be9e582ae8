import { buildEventRow, eventInputSchema, type EventInput, type EventRow } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import { linkSpanEvents } from '../../src/ingest/otlp/link-span-events';
import { logRecordToEvent } from '../../src/ingest/otlp/log-record-to-event';
import { mapProviderName } from '../../src/ingest/otlp/map-provider-name';
import type { Attributes, AttributeValue } from '../../src/ingest/otlp/otlp-attributes';
import type { OtlpLogRecord } from '../../src/ingest/otlp/otlp-logs-request';
import type { OtlpSpan } from '../../src/ingest/otlp/otlp-trace-request';
import { spansToEvents } from '../../src/ingest/otlp/span-to-event';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const attributes = (entries: Record<string, AttributeValue>): Attributes =>
  new Map(Object.entries(entries));

function span(
  spanId: string,
  entries: Record<string, AttributeValue>,
  parentSpanId?: string,
): OtlpSpan {
  return {
    traceId: TRACE,
    spanId,
    parentSpanId,
    name: spanId,
    kind: 'internal',
    startTimeUnixNano: 1_700_000_000_000_000_000n,
    endTimeUnixNano: 1_700_000_000_250_000_000n,
    attributes: attributes(entries),
    events: [],
    status: { code: 'unset', message: '' },
    resource: new Map(),
    scope: {},
  };
}

const one = (entries: Record<string, AttributeValue>) =>
  spansToEvents([span('00000000000000a1', entries)])[0] as Record<string, unknown>;

const row = (event: EventInput): EventRow =>
  buildEventRow(eventInputSchema.parse(event), { orgId: 'o', projectId: 'p', retentionDays: 30 });

describe('mapProviderName', () => {
  it.each([
    ['openai.chat', 'openai'],
    ['openai.responses', 'openai'],
    ['OpenAI', 'openai'],
    ['anthropic.messages', 'anthropic'],
    ['gcp.gemini', 'gemini'],
    ['google.generative-ai', 'gemini'],
    ['az.ai.openai', 'azure-openai'],
    ['aws.bedrock', 'bedrock'],
    ['mistral.chat', 'mistral'],
    ['', undefined],
  ])('%s is %s', (name, expected) => {
    expect(mapProviderName(name)).toBe(expected);
  });
});

describe('usage from every dialect, input including cache', () => {
  it('reads the current GenAI names with cache writes and reasoning', () => {
    expect(
      one({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.usage.input_tokens': 500,
        'gen_ai.usage.output_tokens': 80,
        'gen_ai.usage.cache_read.input_tokens': 100,
        'gen_ai.usage.cache_creation.input_tokens': 50,
        'gen_ai.usage.reasoning.output_tokens': 30,
      }),
    ).toMatchObject({
      input_tokens: 500,
      output_tokens: 80,
      cached_tokens: 100,
      metadata: { usage: { cacheWrite5mTokens: 50, reasoningTokens: 30 } },
    });
  });

  it("adds the cache to OpenLLMetry's Anthropic input, which leaves it out", () => {
    expect(
      one({
        'gen_ai.system': 'anthropic',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.usage.prompt_tokens': 20,
        'gen_ai.usage.completion_tokens': 5,
        'gen_ai.usage.cache_read_input_tokens': 300,
        'gen_ai.usage.cache_creation_input_tokens': 40,
      }),
    ).toMatchObject({ provider: 'anthropic', input_tokens: 360, cached_tokens: 300 });
  });

  it('reads OpenInference token counts', () => {
    expect(
      one({
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'gpt-4o',
        'llm.provider': 'openai',
        'llm.token_count.prompt': 120,
        'llm.token_count.completion': 30,
        'llm.token_count.prompt_details.cache_read': 40,
        'llm.token_count.prompt_details.cache_write': 10,
        'llm.token_count.completion_details.reasoning': 8,
      }),
    ).toMatchObject({
      event_type: 'prompt_call',
      provider: 'openai',
      model: 'gpt-4o',
      input_tokens: 120,
      cached_tokens: 40,
      metadata: { usage: { cacheWrite5mTokens: 10, reasoningTokens: 8 } },
    });
  });

  it('reads the legacy AI SDK names (promptTokens) and the embedding count', () => {
    expect(
      one({
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.id': 'gpt-4o-mini',
        'ai.model.provider': 'openai.chat',
        'ai.usage.promptTokens': 11,
        'ai.usage.completionTokens': 7,
      }),
    ).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      input_tokens: 11,
      output_tokens: 7,
    });
    expect(
      one({
        'ai.operationId': 'ai.embed.doEmbed',
        'ai.model.id': 'text-embedding-3-small',
        'ai.usage.tokens': 6,
      }),
    ).toMatchObject({ operation: 'embedding', input_tokens: 6, output_tokens: 0 });
  });

  it("reads Langfuse's disjoint usage details", () => {
    expect(
      one({
        'langfuse.observation.type': 'generation',
        'langfuse.observation.model.name': 'gpt-4o',
        'langfuse.observation.usage_details': JSON.stringify({
          input: 100,
          output: 20,
          cache_read_input_tokens: 10,
          output_reasoning_tokens: 5,
        }),
      }),
    ).toMatchObject({ input_tokens: 110, output_tokens: 25, cached_tokens: 10 });
  });

  it('leaves the tokens unknown when a call reports none', () => {
    const event = one({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' });
    expect(event.input_tokens).toBeUndefined();
  });
});

describe('Langfuse trace attributes', () => {
  it('reads tags, environment, and a failed observation', () => {
    expect(
      one({
        'langfuse.observation.type': 'generation',
        'langfuse.observation.model.name': 'gpt-4o',
        'langfuse.observation.level': 'ERROR',
        'langfuse.observation.status_message': 'upstream refused',
        'langfuse.trace.tags': ['beta', 'eu'],
        'langfuse.environment': 'staging',
        'langfuse.user.id': 'user-1',
        // 300 ms after the span's start.
        'langfuse.observation.completion_start_time': JSON.stringify(
          new Date(1_700_000_000_300).toISOString(),
        ),
      }),
    ).toMatchObject({
      ttft_ms: 300,
      status: 'error',
      error_message: 'upstream refused',
      tags: ['beta', 'eu'],
      env: 'staging',
      user_id: 'user-1',
    });
  });
});

describe('one model call counted once', () => {
  it('keeps the AI SDK wrapper spans custom', () => {
    expect(
      one({ 'ai.operationId': 'ai.embed', 'ai.model.id': 'x', 'ai.usage.tokens': 6 }),
    ).toMatchObject({
      event_type: 'custom',
    });
  });

  it('demotes a span that wraps a call to the same model in the same export', () => {
    const [outer, inner, other] = spansToEvents([
      span('00000000000000a1', {
        'gen_ai.operation.name': 'embeddings',
        'gen_ai.request.model': 'text-embedding-3-small',
        'gen_ai.usage.input_tokens': 0,
      }),
      span(
        '00000000000000a2',
        {
          'gen_ai.operation.name': 'embeddings',
          'gen_ai.request.model': 'text-embedding-3-small',
          'gen_ai.usage.input_tokens': 6,
        },
        '00000000000000a1',
      ),
      span(
        '00000000000000a3',
        { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' },
        '00000000000000a1',
      ),
    ]) as Array<Record<string, unknown>>;
    expect(outer).toMatchObject({
      event_type: 'custom',
      metadata: { counted_in_span_id: '00000000000000a2' },
    });
    expect(inner).toMatchObject({
      event_type: 'prompt_call',
      input_tokens: 6,
      parent_id: outer!.event_id,
    });
    expect(other).toMatchObject({ event_type: 'prompt_call' });
  });
});

describe('content and parents joined on read', () => {
  const record = (eventName: string, body: AttributeValue, sequence: number): OtlpLogRecord => ({
    eventName,
    timeUnixNano: 1_700_000_000_100_000_000n,
    traceId: TRACE,
    spanId: '00000000000000b2',
    body,
    attributes: attributes({ 'gen_ai.system': 'openai' }),
    resource: new Map(),
    scope: {},
    sequence,
  });

  it('rejects log records that are not GenAI content or belong to no span', () => {
    expect(logRecordToEvent({ ...record('app.started', 'x', 0) }, 0)).toMatchObject({
      message: expect.stringContaining('not a GenAI content event'),
    });
    expect(
      logRecordToEvent({ ...record('gen_ai.user.message', 'x', 0), spanId: undefined }, 0),
    ).toMatchObject({
      message: expect.stringContaining('no trace and span id'),
    });
  });

  it('resolves span-id parents and folds content events into their span', () => {
    const [root, chat] = spansToEvents([
      span('00000000000000b1', {}),
      span(
        '00000000000000b2',
        { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' },
        '00000000000000b1',
      ),
    ]);
    const rows = [
      row(root!),
      // The chat span came in another export: its parent is still a span id.
      row({ ...chat!, parent_id: '00000000000000b1' }),
      row(logRecordToEvent(record('gen_ai.user.message', { content: 'Hi' }, 1), 2) as EventInput),
      row(
        logRecordToEvent(
          record('gen_ai.system.message', { content: 'Be brief.' }, 0),
          2,
        ) as EventInput,
      ),
      row(
        logRecordToEvent(
          record('gen_ai.choice', { index: 0, message: { content: 'Hello.' } }, 2),
          2,
        ) as EventInput,
      ),
    ];
    const linked = linkSpanEvents(rows);
    expect(linked).toHaveLength(2);
    expect(linked[1]).toMatchObject({ parent_id: linked[0]!.event_id, output: 'Hello.' });
    expect(JSON.parse(linked[1]!.input)).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ]);
  });
});
