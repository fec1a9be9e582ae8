import { gzipSync } from 'node:zlib';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { calculateCost } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server';
import {
  attribute,
  exportRequest,
  hex,
  jsonSpan,
  nanos,
  postJsonTraces,
  postTraces,
  recordSpans,
  text,
} from './otlp-json-fixtures';
import { eventNamed, listRunEvents } from './run-events';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

describe('OTLP/JSON', () => {
  it('reads every AnyValue form, gzip, and the older GenAI names', async () => {
    const traceId = hex(16);
    const span = jsonSpan(traceId, 'text_completion gpt-4o-mini', [
      attribute('gen_ai.operation.name', text('text_completion')),
      attribute('gen_ai.system', text('openai')),
      attribute('gen_ai.request.model', text('gpt-4o-mini')),
      attribute('gen_ai.usage.prompt_tokens', { intValue: '2000' }),
      attribute('gen_ai.usage.completion_tokens', { intValue: 150 }),
      attribute('gen_ai.prompt', text('Say hello')),
      attribute('gen_ai.completion', text('Hello!')),
      attribute('enduser.id', text('end-user-1')),
      attribute('gen_ai.conversation.id', text('conversation-9')),
      attribute('gen_ai.request.temperature', { doubleValue: 0.5 }),
      attribute('gen_ai.request.stream', { boolValue: true }),
      attribute('gen_ai.request.stop_sequences', {
        arrayValue: { values: [text('END'), { intValue: '7' }] },
      }),
      attribute('app.request', {
        kvlistValue: {
          values: [attribute('route', text('/greet')), attribute('retries', { intValue: '2' })],
        },
      }),
      attribute('app.fingerprint', { bytesValue: Buffer.from('abc').toString('base64') }),
      attribute('app.big', { intValue: '9007199254740993' }),
      attribute('app.empty', {}),
    ]);
    const response = await postTraces(
      server,
      gzipSync(
        JSON.stringify(exportRequest([span], [attribute('deployment.environment', text('prod'))])),
      ),
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({});

    const [event] = await listRunEvents(server, traceId);
    expect(event).toMatchObject({
      event_type: 'prompt_call',
      operation: 'completion',
      provider: 'openai',
      model: 'gpt-4o-mini',
      input_tokens: 2000,
      output_tokens: 150,
      cost_nanos: calculateCost('gpt-4o-mini', { inputTokens: 2000, outputTokens: 150 }).costNanos,
      input: 'Say hello',
      output: 'Hello!',
      user_id: 'end-user-1',
      session_id: 'conversation-9',
      service: 'raw-otlp',
      env: 'prod',
      latency_ms: 250,
      parent_id: '',
    });
    expect(event!.metadata).toEqual({
      span_id: span.spanId,
      span_kind: 'client',
      scope: { name: 'raw-test', version: '0.1' },
      attributes: {
        'gen_ai.request.temperature': 0.5,
        'gen_ai.request.stream': true,
        'gen_ai.request.stop_sequences': ['END', 7],
        'app.request': { route: '/greet', retries: 2 },
        'app.fingerprint': Buffer.from('abc').toString('base64'),
        'app.big': '9007199254740993',
      },
    });
  });

  it("reads OpenLLMetry's flattened prompts and per-message events", async () => {
    const traceId = hex(16);
    const flattened = jsonSpan(traceId, 'openai.chat', [
      attribute('llm.request.type', text('chat')),
      attribute('gen_ai.system', text('openai')),
      attribute('gen_ai.request.model', text('gpt-4o')),
      attribute('gen_ai.usage.input_tokens', { intValue: '10' }),
      attribute('gen_ai.usage.prompt_tokens', { intValue: '10' }),
      attribute('gen_ai.prompt.0.role', text('system')),
      attribute('gen_ai.prompt.0.content', text('Be brief.')),
      attribute('gen_ai.prompt.1.role', text('user')),
      attribute('gen_ai.prompt.1.content', text('Capital of France?')),
      attribute('gen_ai.completion.0.role', text('assistant')),
      attribute('gen_ai.completion.0.content', text('Paris.')),
    ]);
    const withEvents = jsonSpan(
      traceId,
      'chat gemini-2.0-flash',
      [
        attribute('gen_ai.operation.name', text('generate_content')),
        attribute('gen_ai.provider.name', text('gcp.gemini')),
        attribute('gen_ai.request.model', text('gemini-2.0-flash')),
      ],
      {
        parentSpanId: flattened.spanId,
        events: [
          {
            name: 'gen_ai.user.message',
            timeUnixNano: nanos(Date.now() - 30_000),
            attributes: [attribute('content', text('Hi'))],
          },
          {
            name: 'gen_ai.choice',
            timeUnixNano: nanos(Date.now() - 29_900),
            attributes: [
              attribute('index', { intValue: '0' }),
              attribute('finish_reason', text('stop')),
              attribute('message', {
                kvlistValue: {
                  values: [
                    attribute('role', text('assistant')),
                    attribute('content', text('Hello there')),
                  ],
                },
              }),
            ],
          },
          {
            name: 'retry',
            timeUnixNano: nanos(Date.now() - 29_950),
            attributes: [attribute('attempt', { intValue: '1' })],
          },
        ],
      },
    );
    const response = await postJsonTraces(server, exportRequest([flattened, withEvents]));
    expect(response.status).toBe(200);
    const events = await listRunEvents(server, traceId);

    const openai = eventNamed(events, 'openai.chat');
    expect(openai).toMatchObject({
      event_type: 'prompt_call',
      operation: 'chat',
      input_tokens: 10,
      output: 'Paris.',
    });
    expect(JSON.parse(openai.input as string)).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Capital of France?' },
    ]);
    expect(openai.metadata.attributes).toBeUndefined();

    const gemini = eventNamed(events, 'chat gemini-2.0-flash');
    expect(gemini).toMatchObject({
      event_type: 'prompt_call',
      operation: 'chat',
      // OpenTelemetry's provider name becomes the gateway's; the parent is the parent's event.
      provider: 'gemini',
      parent_id: openai.event_id,
      output: 'Hello there',
    });
    expect(JSON.parse(gemini.input as string)).toEqual([{ role: 'user', content: 'Hi' }]);
    expect(gemini.metadata.events).toEqual([
      { name: 'retry', time: expect.any(String), attributes: { attempt: 1 } },
    ]);
  });

  it('rejects invalid spans with a partial success and stores the valid ones', async () => {
    const traceId = hex(16);
    const good = jsonSpan(traceId, 'good', []);
    const badTrace = jsonSpan('not-a-trace-id', 'bad trace id', []);
    const backwards = jsonSpan(traceId, 'ends before it starts', [], {}, Date.now() - 30_000, -5);
    const tooLong = jsonSpan(
      traceId,
      'lasts two days',
      [],
      {},
      Date.now() - 3 * 86_400_000,
      2 * 86_400_000,
    );
    const response = await postJsonTraces(
      server,
      exportRequest([good, badTrace, backwards, tooLong]),
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      partialSuccess: { rejectedSpans: string; errorMessage: string };
    };
    expect(body.partialSuccess.rejectedSpans).toBe('3');
    expect(body.partialSuccess.errorMessage).toContain('3 of 4 spans rejected');
    expect(body.partialSuccess.errorMessage).toContain(
      `span ${badTrace.spanId} ("bad trace id"): traceId`,
    );
    expect(body.partialSuccess.errorMessage).toContain(
      `span ${backwards.spanId} ("ends before it starts"): latency_ms`,
    );
    expect(body.partialSuccess.errorMessage).toContain(
      `span ${tooLong.spanId} ("lasts two days"): latency_ms`,
    );
    const events = await listRunEvents(server, traceId);
    expect(events.map((event) => event.name)).toEqual(['good']);
  });
});

describe('OTLP/protobuf', () => {
  it('answers a partial success as a protobuf ExportTraceServiceResponse', async () => {
    const spans = recordSpans((provider) => {
      const tracer = provider.getTracer('proto-test');
      const root = tracer.startSpan('fine', { startTime: Date.now() - 10_000 });
      const tooLong = tracer.startSpan(
        'too long',
        { startTime: Date.now() - 3 * 86_400_000 },
        trace.setSpan(ROOT_CONTEXT, root),
      );
      tooLong.end(Date.now() - 10_000);
      root.end(Date.now() - 9_000);
    });
    const response = await postTraces(
      server,
      Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!),
      {
        'content-type': 'application/x-protobuf',
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-protobuf');
    const answer = ProtobufTraceSerializer.deserializeResponse(
      new Uint8Array(await response.arrayBuffer()),
    );
    expect(Number(answer.partialSuccess?.rejectedSpans)).toBe(1);
    expect(answer.partialSuccess?.errorMessage).toContain('("too long"): latency_ms');
    const events = await listRunEvents(server, spans[0]!.spanContext().traceId);
    expect(events.map((event) => event.name)).toEqual(['fine']);
  });

  it('answers a full success with an empty response, also for an empty request', async () => {
    const spans = recordSpans((provider) =>
      provider.getTracer('proto-test').startSpan('one').end(),
    );
    const full = await postTraces(
      server,
      Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!),
      {
        'content-type': 'application/x-protobuf',
      },
    );
    expect(full.status).toBe(200);
    expect((await full.arrayBuffer()).byteLength).toBe(0);
    const empty = await postTraces(server, new Uint8Array(0), {
      'content-type': 'application/x-protobuf',
    });
    expect(empty.status).toBe(200);
    expect((await empty.arrayBuffer()).byteLength).toBe(0);
  });
});
