import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { TracerProvider } from '@opentelemetry/sdk-trace';

/** The span ids of the trace `emitTripPlannerTrace` records, by role. */
export interface TripPlannerSpans {
  traceId: string;
  agent: string;
  chat: string;
  tool: string;
  http: string;
  subAgent: string;
  claude: string;
  embedding: string;
}

export const PROMPT = [
  { role: 'system', content: 'You plan trips.' },
  { role: 'user', content: 'Plan a day in Lisbon' },
];

/**
 * An agent run as an app instrumented with the GenAI conventions reports it,
 * with fixed times (`base` + offsets in ms):
 *
 * ```
 * invoke_agent trip-planner                      0 … 5000
 * ├─ chat gpt-4o  (older names, content events)  100 … 1300
 * ├─ execute_tool get_weather                    1400 … 1500
 * │  └─ GET  (plain HTTP client span)            1410 … 1490
 * └─ invoke_agent weather-summariser             1600 … 4600
 *    ├─ chat claude-sonnet-4-5 (current names)   1610 … 2400
 *    └─ embeddings text-embedding-3-small, timed out  2500 … 4500
 * ```
 */
export function emitTripPlannerTrace(provider: TracerProvider, base: number): TripPlannerSpans {
  const tracer = provider.getTracer('trip-planner-instrumentation', '1.2.0');
  const at = (offsetMs: number) => base + offsetMs;

  const agent = tracer.startSpan('invoke_agent trip-planner', {
    startTime: at(0),
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'trip-planner',
      'gen_ai.agent.id': 'agent-42',
      'user.id': 'user-7',
      'session.id': 'session-3',
    },
  });
  const inAgent = trace.setSpan(ROOT_CONTEXT, agent);

  const chat = tracer.startSpan(
    'chat gpt-4o',
    {
      kind: SpanKind.CLIENT,
      startTime: at(100),
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.usage.input_tokens': 1200,
        'gen_ai.usage.output_tokens': 300,
        'gen_ai.request.temperature': 0.2,
        'gen_ai.response.finish_reasons': ['stop'],
        'user.id': 'user-7',
      },
    },
    inAgent,
  );
  chat.addEvent('gen_ai.content.prompt', { 'gen_ai.prompt': JSON.stringify(PROMPT) }, at(101));
  chat.addEvent(
    'gen_ai.content.completion',
    { 'gen_ai.completion': 'Morning in Alfama, afternoon at Belém.' },
    at(1299),
  );
  chat.end(at(1300));

  const tool = tracer.startSpan(
    'execute_tool get_weather',
    {
      startTime: at(1400),
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'get_weather',
        'gen_ai.tool.call.id': 'call_1',
        'gen_ai.tool.call.arguments': '{"city":"Lisbon"}',
        'gen_ai.tool.call.result': '{"celsius":21,"sky":"clear"}',
      },
    },
    inAgent,
  );
  const http = tracer.startSpan(
    'GET',
    {
      kind: SpanKind.CLIENT,
      startTime: at(1410),
      attributes: {
        'http.request.method': 'GET',
        'url.full': 'https://weather.invalid/lisbon',
        'http.response.status_code': 200,
      },
    },
    trace.setSpan(inAgent, tool),
  );
  http.end(at(1490));
  tool.end(at(1500));

  const subAgent = tracer.startSpan(
    'invoke_agent weather-summariser',
    {
      startTime: at(1600),
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'weather-summariser',
      },
    },
    inAgent,
  );
  const inSubAgent = trace.setSpan(inAgent, subAgent);
  const claude = tracer.startSpan(
    'chat claude-sonnet-4-5',
    {
      kind: SpanKind.CLIENT,
      startTime: at(1610),
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.usage.input_tokens': 500,
        'gen_ai.usage.output_tokens': 80,
        'gen_ai.usage.cache_read.input_tokens': 100,
        'gen_ai.input.messages': JSON.stringify([
          { role: 'user', parts: [{ type: 'text', content: 'Summarise: 21°C, clear' }] },
        ]),
        'gen_ai.output.messages': JSON.stringify([
          {
            role: 'assistant',
            parts: [
              { type: 'text', content: 'Clear skies, ' },
              { type: 'text', content: '21°C.' },
            ],
            finish_reason: 'stop',
          },
        ]),
      },
    },
    inSubAgent,
  );
  claude.end(at(2400));
  const embedding = tracer.startSpan(
    'embeddings text-embedding-3-small',
    {
      kind: SpanKind.CLIENT,
      startTime: at(2500),
      attributes: {
        'gen_ai.operation.name': 'embeddings',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'text-embedding-3-small',
        'gen_ai.usage.prompt_tokens': 42,
        'error.type': 'timeout',
      },
    },
    inSubAgent,
  );
  embedding.setStatus({ code: SpanStatusCode.ERROR, message: 'deadline exceeded after 2s' });
  embedding.end(at(4500));
  subAgent.end(at(4600));
  agent.end(at(5000));

  return {
    traceId: agent.spanContext().traceId,
    agent: agent.spanContext().spanId,
    chat: chat.spanContext().spanId,
    tool: tool.spanContext().spanId,
    http: http.spanContext().spanId,
    subAgent: subAgent.spanContext().spanId,
    claude: claude.spanContext().spanId,
    embedding: embedding.spanContext().spanId,
  };
}
