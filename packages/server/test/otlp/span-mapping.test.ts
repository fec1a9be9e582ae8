import { eventInputSchema, eventTimeFromId, isEventId } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import { classifySpan } from '../../src/ingest/otlp/classify-span';
import { mapGenAiOperation } from '../../src/ingest/otlp/map-gen-ai-operation';
import { mapSpanStatus } from '../../src/ingest/otlp/map-span-status';
import type { Attributes, AttributeValue } from '../../src/ingest/otlp/otlp-attributes';
import { decodeTraceRequestProtobuf } from '../../src/ingest/otlp/otlp-protobuf';
import { readTraceRequest, type OtlpSpan } from '../../src/ingest/otlp/otlp-trace-request';
import { spanEventId } from '../../src/ingest/otlp/span-event-id';
import { spansToEvents } from '../../src/ingest/otlp/span-to-event';

const attributes = (entries: Record<string, AttributeValue>): Attributes =>
  new Map(Object.entries(entries));

function span(overrides: Partial<OtlpSpan>): OtlpSpan {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    name: 'span',
    kind: 'internal',
    startTimeUnixNano: 1_700_000_000_000_000_000n,
    endTimeUnixNano: 1_700_000_000_250_000_000n,
    attributes: new Map(),
    events: [],
    status: { code: 'unset', message: '' },
    resource: new Map(),
    scope: {},
    ...overrides,
  };
}

describe('mapGenAiOperation', () => {
  it.each([
    ['chat', 'prompt_call', 'chat'],
    ['generate_content', 'prompt_call', 'chat'],
    ['text_completion', 'prompt_call', 'completion'],
    ['embeddings', 'prompt_call', 'embedding'],
    ['image_generation', 'prompt_call', 'image'],
    ['execute_tool', 'tool_call', undefined],
    ['invoke_agent', 'agent_step', undefined],
    ['create_agent', 'agent_step', undefined],
  ])('%s → %s (%s)', (name, eventType, operation) => {
    expect(mapGenAiOperation(name)).toEqual(operation ? { eventType, operation } : { eventType });
  });

  it('leaves a name it does not know, or none, to the caller', () => {
    expect(mapGenAiOperation('invoke_workflow')).toBeUndefined();
    expect(mapGenAiOperation(undefined)).toBeUndefined();
  });
});

describe('classifySpan', () => {
  it.each<[string, Record<string, AttributeValue>, string]>([
    ['a tool name without an operation', { 'gen_ai.tool.name': 'search' }, 'tool_call'],
    ['an agent name without an operation', { 'gen_ai.agent.name': 'planner' }, 'agent_step'],
    ['OpenLLMetry tool kind', { 'traceloop.span.kind': 'tool' }, 'tool_call'],
    ['OpenLLMetry agent kind', { 'traceloop.span.kind': 'agent' }, 'agent_step'],
    ['OpenLLMetry workflow kind', { 'traceloop.span.kind': 'workflow' }, 'custom'],
    ['a model without an operation', { 'gen_ai.request.model': 'gpt-4o' }, 'prompt_call'],
    ['a provider only', { 'gen_ai.system': 'openai' }, 'prompt_call'],
    ['flattened prompts only', { 'gen_ai.prompt.0.content': 'hi' }, 'prompt_call'],
    [
      'an agent span that reports its model',
      { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.request.model': 'gpt-4o' },
      'agent_step',
    ],
    ['an unknown operation alone', { 'gen_ai.operation.name': 'invoke_workflow' }, 'custom'],
    ['no GenAI attribute', { 'http.request.method': 'GET' }, 'custom'],
  ])('%s → %s', (_label, entries, eventType) => {
    expect(classifySpan(attributes(entries)).eventType).toBe(eventType);
  });
});

describe('mapSpanStatus', () => {
  it.each<[Parameters<typeof mapSpanStatus>, string]>([
    [['unset', undefined], 'success'],
    [['ok', undefined], 'success'],
    [['error', undefined], 'error'],
    [['error', 'TimeoutError'], 'timeout'],
    [['error', 'deadline_exceeded'], 'timeout'],
    [['error', 'rate_limit_exceeded'], 'rate_limited'],
    [['error', '429'], 'rate_limited'],
    [['unset', 'overloaded_error'], 'error'],
  ])('%j → %s', (input, status) => {
    expect(mapSpanStatus(...input)).toBe(status);
  });
});

describe('spanEventId', () => {
  it('is a ULID carrying the start time, the same for the same span, different across traces', () => {
    const start = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
    const id = spanEventId(start, '0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331');
    expect(isEventId(id)).toBe(true);
    expect(eventTimeFromId(id)).toBe(start);
    expect(spanEventId(start, '0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331')).toBe(id);
    expect(spanEventId(start, '1af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331')).not.toBe(id);
  });
});

describe('spansToEvents', () => {
  it('produces events the ingest schema accepts', () => {
    const events = spansToEvents([
      span({
        attributes: attributes({
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
        }),
      }),
      span({
        spanId: 'c7ad6b7169203331',
        attributes: attributes({ 'gen_ai.tool.name': 'search' }),
      }),
      span({ spanId: 'd7ad6b7169203331', attributes: attributes({ 'gen_ai.agent.name': 'a' }) }),
      span({ spanId: 'e7ad6b7169203331', status: { code: 'error', message: 'boom' } }),
    ]);
    expect(events.map((event) => eventInputSchema.safeParse(event).success)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(events[3]).toMatchObject({
      event_type: 'custom',
      status: 'error',
      metadata: { status_message: 'boom' },
    });
  });

  it('takes a tool name from the span name when the attribute is missing', () => {
    const [event] = spansToEvents([
      span({
        name: 'execute_tool lookup',
        attributes: attributes({ 'gen_ai.operation.name': 'execute_tool' }),
      }),
    ]);
    expect(event).toMatchObject({ event_type: 'tool_call', tool_name: 'lookup' });
  });

  it('leaves the latency out when the span has no end time', () => {
    const [event] = spansToEvents([span({ endTimeUnixNano: undefined })]);
    expect(event?.latency_ms).toBeUndefined();
  });
});

describe('readTraceRequest', () => {
  it('accepts enum names, null fields and upper-case ids, and rejects a span without a start', () => {
    const request = readTraceRequest({
      resourceSpans: [
        {
          resource: null,
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '0AF7651916CD43DD8448EB211C80319C',
                  spanId: 'B7AD6B7169203331',
                  parentSpanId: '',
                  kind: 'SPAN_KIND_SERVER',
                  startTimeUnixNano: 1_700_000_000_000_000_000,
                  status: { code: 'STATUS_CODE_ERROR' },
                  attributes: null,
                },
                { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'c7ad6b7169203331' },
              ],
            },
          ],
        },
      ],
    });
    expect(request.spans).toHaveLength(1);
    expect(request.spans[0]).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      parentSpanId: undefined,
      kind: 'server',
      status: { code: 'error' },
      endTimeUnixNano: undefined,
    });
    expect(request.rejected).toEqual([
      { spanId: 'c7ad6b7169203331', name: '', message: 'startTimeUnixNano: is required' },
    ]);
  });

  it('decodes an empty protobuf request to no spans', () => {
    expect(readTraceRequest(decodeTraceRequestProtobuf(new Uint8Array(0)))).toEqual({
      spans: [],
      rejected: [],
    });
  });
});
