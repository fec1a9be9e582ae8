import { OTLPTraceExporter as OTLPHttpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPHttpProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  TracerProvider,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { calculateCost, isEventId, eventTimeFromId } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { eventNamed, listRunEvents, type ApiEvent } from './run-events';
import { emitTripPlannerTrace, PROMPT, type TripPlannerSpans } from './trip-planner-trace';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

interface ExporterCase {
  label: string;
  exporter: (url: string, key: string) => SpanExporter;
  batch: boolean;
}

const EXPORTERS: ExporterCase[] = [
  {
    label: 'OTLP/HTTP JSON, gzip, key in Authorization: Bearer, SimpleSpanProcessor',
    exporter: (url, key) =>
      new OTLPHttpJsonTraceExporter({
        url,
        headers: { authorization: `Bearer ${key}` },
        compression: CompressionAlgorithm.GZIP,
      }),
    batch: false,
  },
  {
    label: 'OTLP/HTTP protobuf, key in x-api-key, BatchSpanProcessor',
    exporter: (url, key) => new OTLPHttpProtoTraceExporter({ url, headers: { 'x-api-key': key } }),
    batch: true,
  },
  {
    label: 'OTLP/HTTP protobuf, gzip, SimpleSpanProcessor',
    exporter: (url, key) =>
      new OTLPHttpProtoTraceExporter({
        url,
        headers: { authorization: `Bearer ${key}` },
        compression: CompressionAlgorithm.GZIP,
      }),
    batch: false,
  },
];

/** Records the trip-planner trace with a real tracer provider and exporter, and flushes it. */
async function exportTrace(exporterCase: ExporterCase, key: string): Promise<TripPlannerSpans> {
  const exporter = exporterCase.exporter(`${server.url}/v1/traces`, key);
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'trip-planner',
      'deployment.environment.name': 'staging',
      'host.name': 'test-host',
    }),
    spanProcessors: [
      exporterCase.batch
        ? new BatchSpanProcessor({ exporter })
        : new SimpleSpanProcessor({ exporter }),
    ],
  });
  try {
    const spans = emitTripPlannerTrace(provider, Date.now() - 60_000);
    await provider.forceFlush();
    return spans;
  } finally {
    await provider.shutdown();
  }
}

describe.each(EXPORTERS)('$label', (exporterCase) => {
  let spans: TripPlannerSpans;
  let events: ApiEvent[];

  beforeAll(async () => {
    spans = await exportTrace(exporterCase, server.tenant.projectKey);
    events = await listRunEvents(server, spans.traceId);
  });

  it('turns every span into one event of the run, linked to its parent span', () => {
    expect(events).toHaveLength(7);
    for (const event of events) {
      expect(event.run_id).toBe(spans.traceId);
      expect(isEventId(event.event_id)).toBe(true);
      expect(new Date(event.ts as string).getTime()).toBe(eventTimeFromId(event.event_id));
      expect(event.service).toBe('trip-planner');
      expect(event.env).toBe('staging');
      expect(event.metadata.resource).toEqual(
        expect.objectContaining({ 'host.name': 'test-host' }),
      );
    }
    const bySpan = new Map(events.map((event) => [event.metadata.span_id, event]));
    const parentOf = (spanId: string) => bySpan.get(spanId)?.parent_id;
    const eventOf = (spanId: string) => bySpan.get(spanId)?.event_id;
    expect(parentOf(spans.agent)).toBe('');
    expect(bySpan.get(spans.agent)?.metadata.parent_span_id).toBeUndefined();
    // Parents resolve to the parent span's event, whichever export brought it.
    expect(parentOf(spans.chat)).toBe(eventOf(spans.agent));
    expect(parentOf(spans.tool)).toBe(eventOf(spans.agent));
    expect(parentOf(spans.http)).toBe(eventOf(spans.tool));
    expect(parentOf(spans.subAgent)).toBe(eventOf(spans.agent));
    expect(parentOf(spans.claude)).toBe(eventOf(spans.subAgent));
    expect(parentOf(spans.embedding)).toBe(eventOf(spans.subAgent));
    expect(bySpan.get(spans.http)?.metadata.parent_span_id).toBe(spans.tool);
  });

  it('maps a chat span with the older attribute names and content events to a priced prompt_call', () => {
    const chat = eventNamed(events, 'chat gpt-4o');
    const expectedCost = calculateCost('gpt-4o-2024-08-06', {
      inputTokens: 1200,
      outputTokens: 300,
    });
    expect(expectedCost.priced).toBe(true);
    expect(chat).toMatchObject({
      event_type: 'prompt_call',
      operation: 'chat',
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
      model_requested: 'gpt-4o',
      input_tokens: 1200,
      output_tokens: 300,
      cost_nanos: expectedCost.costNanos,
      cost_unpriced: false,
      status: 'success',
      latency_ms: 1200,
      user_id: 'user-7',
      output: 'Morning in Alfama, afternoon at Belém.',
    });
    expect(JSON.parse(chat.input as string)).toEqual(PROMPT);
    expect(chat.metadata).toMatchObject({
      span_id: spans.chat,
      parent_span_id: spans.agent,
      span_kind: 'client',
      scope: { name: 'trip-planner-instrumentation', version: '1.2.0' },
      attributes: {
        'gen_ai.request.temperature': 0.2,
        'gen_ai.response.finish_reasons': ['stop'],
      },
    });
    // Mapped attributes and consumed content events are not repeated in the metadata.
    expect(chat.metadata.attributes).not.toHaveProperty('gen_ai.request.model');
    expect(chat.metadata.attributes).not.toHaveProperty('gen_ai.usage.input_tokens');
    expect(chat.metadata).not.toHaveProperty('events');
  });

  it('maps a chat span with the current attribute names, cached tokens and message attributes', () => {
    const claude = eventNamed(events, 'chat claude-sonnet-4-5');
    const expectedCost = calculateCost('claude-sonnet-4-5', {
      inputTokens: 500,
      outputTokens: 80,
      cachedInputTokens: 100,
    });
    expect(claude).toMatchObject({
      event_type: 'prompt_call',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      model_requested: 'claude-sonnet-4-5',
      input_tokens: 500,
      output_tokens: 80,
      cached_tokens: 100,
      cost_nanos: expectedCost.costNanos,
      output: 'Clear skies, 21°C.',
      latency_ms: 790,
    });
    expect(JSON.parse(claude.input as string)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Summarise: 21°C, clear' }] },
    ]);
  });

  it('maps a failed embeddings span to an embedding prompt_call with its status and error', () => {
    const embedding = eventNamed(events, 'embeddings text-embedding-3-small');
    expect(embedding).toMatchObject({
      event_type: 'prompt_call',
      operation: 'embedding',
      provider: 'openai',
      model: 'text-embedding-3-small',
      input_tokens: 42,
      output_tokens: 0,
      cost_nanos: calculateCost('text-embedding-3-small', { inputTokens: 42, outputTokens: 0 })
        .costNanos,
      status: 'timeout',
      error_message: 'deadline exceeded after 2s',
      latency_ms: 2000,
    });
    expect(embedding.metadata.attributes).toEqual({ 'error.type': 'timeout' });
  });

  it('maps the tool span to a tool_call with its arguments and result', () => {
    const tool = eventNamed(events, 'execute_tool get_weather');
    expect(tool).toMatchObject({
      event_type: 'tool_call',
      tool_name: 'get_weather',
      input: '{"city":"Lisbon"}',
      output: '{"celsius":21,"sky":"clear"}',
      status: 'success',
      latency_ms: 100,
    });
    expect(tool.metadata.attributes).toEqual({ 'gen_ai.tool.call.id': 'call_1' });
  });

  // Steps are numbered by start time among the agent spans of one export request: a batch
  // holds both agent spans, a SimpleSpanProcessor sends each span in a request of its own.
  const secondStep = exporterCase.batch ? 2 : 1;

  it('maps agent spans to agent_steps numbered by start time within the exported trace', () => {
    const agent = eventNamed(events, 'invoke_agent trip-planner');
    expect(agent).toMatchObject({
      event_type: 'agent_step',
      step_number: 1,
      step_name: 'trip-planner',
      step_type: 'invoke_agent',
      user_id: 'user-7',
      session_id: 'session-3',
      latency_ms: 5000,
    });
    expect(agent.metadata.attributes).toEqual({ 'gen_ai.agent.id': 'agent-42' });
    expect(eventNamed(events, 'invoke_agent weather-summariser')).toMatchObject({
      event_type: 'agent_step',
      step_number: secondStep,
      step_name: 'weather-summariser',
    });
  });

  it('keeps a span without GenAI attributes as a custom event with its attributes', () => {
    const http = eventNamed(events, 'GET');
    expect(http).toMatchObject({ event_type: 'custom', status: 'success', latency_ms: 80 });
    expect(http.metadata.attributes).toEqual({
      'http.request.method': 'GET',
      'url.full': 'https://weather.invalid/lisbon',
      'http.response.status_code': 200,
    });
  });

  it('shows the run with its agent steps and tool calls', async () => {
    const response = await server.request(`/api/v1/runs/${spans.traceId}`);
    expect(response.status).toBe(200);
    const run = (await response.json()) as {
      run_id: string;
      events: ApiEvent[];
      agent_steps: Array<Record<string, unknown>>;
      tool_calls: Array<Record<string, unknown>>;
    };
    expect(run.run_id).toBe(spans.traceId);
    expect(run.events).toHaveLength(7);
    expect(run.agent_steps.map((step) => [step.step_number, step.step_name])).toEqual([
      [1, 'trip-planner'],
      [secondStep, 'weather-summariser'],
    ]);
    const agentEvent = run.events.find((event) => event.metadata.span_id === spans.agent)!;
    // Every parent is an event of the run: the tree nests.
    const ids = new Set(run.events.map((event) => event.event_id));
    for (const event of run.events) {
      if (event.metadata.parent_span_id) expect(ids.has(event.parent_id)).toBe(true);
    }
    expect(run.tool_calls).toEqual([expect.objectContaining({ tool_name: 'get_weather' })]);
    expect(eventNamed(run.events, 'execute_tool get_weather').parent_id).toBe(agentEvent.event_id);
  });
});

describe('tenancy', () => {
  it("a key of another project sees none of the project's spans, and its own spans stay in its project", async () => {
    const ours = await exportTrace(EXPORTERS[1]!, server.tenant.projectKey);
    const project = await server.app.stores.meta.createProject({
      orgId: server.tenant.orgId,
      name: 'otlp-other',
    });
    const other = await issueApiKey(server.app.stores.meta, {
      orgId: server.tenant.orgId,
      projectId: project.id,
      name: 'otlp-other',
      scopes: ['ingest', 'read'],
    });
    expect(await listRunEvents(server, ours.traceId, other.secret)).toHaveLength(0);
    expect(
      (await server.request(`/api/v1/runs/${ours.traceId}`, { key: other.secret })).status,
    ).toBe(404);

    const theirs = await exportTrace(EXPORTERS[0]!, other.secret);
    expect(await listRunEvents(server, theirs.traceId, other.secret)).toHaveLength(7);
    expect(await listRunEvents(server, theirs.traceId)).toHaveLength(0);
  });
});
