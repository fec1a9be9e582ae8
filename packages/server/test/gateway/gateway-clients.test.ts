import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir } from '../helpers/temp-dir';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { startAnthropicUpstream } from '../helpers/upstreams/anthropic-upstream';
import { jsonFixture } from '../helpers/upstreams/fixtures';
import { startOpenAIUpstream } from '../helpers/upstreams/openai-upstream';
import type { ScriptedUpstream } from '../helpers/upstreams/scripted-upstream';

let server: TestServer;
let primary: ScriptedUpstream;
let secondary: ScriptedUpstream;
let claude: ScriptedUpstream;
let openai: OpenAI;
let anthropic: Anthropic;
const directory = createTempDir();

interface StoredEvent {
  request_id: string;
  status: string;
  model: string;
  model_requested: string;
  provider: string;
  attempts: number;
  providers_tried: string[];
  input_tokens: number;
  output_tokens: number;
  cost_nanos: number;
  cache_hit: boolean;
  simulated: boolean;
  ttft_ms: number;
  operation: string;
  metadata: Record<string, unknown>;
}

/** The prompt_call events of these request ids, once the writer has stored them all. */
async function eventsOf(requestIds: string[]): Promise<StoredEvent[]> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const response = await server.request('/api/v1/events?event_type=prompt_call&limit=1000');
    const events = ((await response.json()) as { events: StoredEvent[] }).events.filter((event) =>
      requestIds.includes(event.request_id),
    );
    if (events.length >= requestIds.length) return events;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`events of ${requestIds.join(', ')} were not recorded`);
}

beforeAll(async () => {
  [primary, secondary, claude] = await Promise.all([
    startOpenAIUpstream(),
    startOpenAIUpstream(),
    startAnthropicUpstream(),
  ]);
  const routes = join(directory.path, 'routes.yaml');
  writeFileSync(
    routes,
    `routes:
  - model: chat-failover
    deployments:
      - { id: primary, provider: openai, model: gpt-4o-mini, baseUrl: "${primary.url}/v1", apiKeyEnv: TEST_OPENAI_KEY, priority: 0, maxRetries: 1 }
      - { id: secondary, provider: openai, model: gpt-4o-mini, baseUrl: "${secondary.url}/v1", apiKeyEnv: TEST_OPENAI_KEY, priority: 1, maxRetries: 0 }
  - model: claude
    deployments:
      - { id: claude, provider: anthropic, model: claude-sonnet-4-5, baseUrl: "${claude.url}", apiKeyEnv: TEST_ANTHROPIC_KEY }
  - model: cached
    cacheTtlSeconds: 60
    deployments:
      - { provider: simulated, model: simulated/cached }
`,
  );
  process.env.TEST_OPENAI_KEY = 'sk-test-openai';
  process.env.TEST_ANTHROPIC_KEY = 'sk-ant-test';
  server = await startTestServer({
    environment: {
      TOLLGATE_ROUTES: routes,
      TEST_OPENAI_KEY: 'sk-test-openai',
      TEST_ANTHROPIC_KEY: 'sk-ant-test',
    },
  });
  openai = new OpenAI({
    apiKey: server.tenant.projectKey,
    baseURL: `${server.url}/v1`,
    maxRetries: 0,
  });
  anthropic = new Anthropic({
    apiKey: server.tenant.projectKey,
    baseURL: server.url,
    maxRetries: 0,
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await Promise.all([primary?.close(), secondary?.close(), claude?.close()]);
  directory.remove();
});

describe('the official OpenAI client through the gateway', () => {
  it('chats with the simulated provider and says so', async () => {
    const { data, response } = await openai.chat.completions
      .create({ model: 'simulated/demo', messages: [{ role: 'user', content: 'Say hello' }] })
      .withResponse();
    expect(data.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(data.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-tollgate-provider')).toBe('simulated');
    expect(response.headers.get('x-tollgate-simulated')).toBe('true');
    expect(response.headers.get('x-tollgate-cache')).toBe('bypass');
    const [event] = await eventsOf([response.headers.get('x-request-id')!]);
    expect(event!.simulated).toBe(true);
    expect(event!.status).toBe('success');
    expect(event!.input_tokens).toBe(data.usage!.prompt_tokens);
    expect(event!.output_tokens).toBe(data.usage!.completion_tokens);
  });

  it('streams chunk by chunk, with usage when asked, and records time to first token', async () => {
    const stream = await openai.chat.completions.create({
      model: 'simulated/demo',
      messages: [{ role: 'user', content: 'Tell me a story' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(2);
    expect(text.length).toBeGreaterThan(0);
    expect(usage!.completion_tokens).toBeGreaterThan(0);
    const unchanged = await openai.chat.completions.create({
      model: 'simulated/demo',
      messages: [{ role: 'user', content: 'Tell me a story' }],
    });
    expect(unchanged.choices[0]!.message.content).toBe(text);
  });

  it('calls tools', async () => {
    const completion = await openai.chat.completions.create({
      model: 'simulated/demo',
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
      tool_choice: 'required',
    });
    const call = completion.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function.name).toBe('get_weather');
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('embeds', async () => {
    const embedding = await openai.embeddings.create({
      model: 'simulated/embed',
      input: ['one', 'two'],
    });
    expect(embedding.data).toHaveLength(2);
    expect(embedding.data[0]!.embedding.length).toBeGreaterThan(8);
  });

  it('fails over from a failing deployment to the next priority, recording every attempt once', async () => {
    primary.script('server-error');
    primary.script('server-error');
    secondary.script('text');
    const { data, response } = await openai.chat.completions
      .create({ model: 'chat-failover', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe(
      (jsonFixture('openai', 'chat-text') as { choices: Array<{ message: { content: string } }> })
        .choices[0]!.message.content,
    );
    expect(response.headers.get('x-tollgate-attempts')).toBe('3');
    expect(Number(response.headers.get('x-tollgate-cost-usd'))).toBeGreaterThan(0);
    expect(primary.requests.at(-1)!.headers.authorization).toBe('Bearer sk-test-openai');
    const events = await eventsOf([response.headers.get('x-request-id')!]);
    expect(events).toHaveLength(1);
    expect(events[0]!.attempts).toBe(3);
    expect(events[0]!.providers_tried).toEqual(['primary', 'secondary']);
    expect(events[0]!.model_requested).toBe('chat-failover');
    expect(events[0]!.cost_nanos).toBeGreaterThan(0);
  });

  it('surfaces an upstream rate limit as the client error type once every deployment refuses', async () => {
    primary.reply(
      {
        type: 'json',
        status: 429,
        body: { error: { message: 'slow down', type: 'rate_limit_error' } },
        headers: { 'retry-after-ms': '50' },
      },
      {
        type: 'json',
        status: 429,
        body: { error: { message: 'slow down', type: 'rate_limit_error' } },
        headers: { 'retry-after-ms': '50' },
      },
    );
    secondary.reply({
      type: 'json',
      status: 429,
      body: { error: { message: 'slow down too' } },
      headers: { 'retry-after': '1' },
    });
    const error = await openai.chat.completions
      .create({ model: 'chat-failover', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe(
      '1',
    );
  });

  it('answers an unknown model with a 404 the client understands', async () => {
    const error = await openai.chat.completions
      .create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    const badRequest = await openai.chat.completions
      .create({ model: 'simulated/demo', messages: [{ role: 'wizard' as 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(badRequest).toBeInstanceOf(OpenAI.BadRequestError);
    expect((badRequest as InstanceType<typeof OpenAI.BadRequestError>).param).toBe(
      'messages[0].role',
    );
    const unauthorized = await new OpenAI({
      apiKey: 'tg_wrong',
      baseURL: `${server.url}/v1`,
      maxRetries: 0,
    }).models
      .list()
      .catch((caught: unknown) => caught);
    expect(unauthorized).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('serves an OpenAI-format request from an Anthropic deployment', async () => {
    claude.script('text-stream');
    const stream = await openai.chat.completions.create({
      model: 'claude',
      messages: [
        { role: 'system', content: 'Be brief' },
        { role: 'user', content: 'hi' },
      ],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    const sent = claude.lastRequest().json as { system: unknown; model: string; stream: boolean };
    expect(sent.model).toBe('claude-sonnet-4-5');
    expect(sent.stream).toBe(true);
    expect(JSON.stringify(sent.system)).toContain('Be brief');
    expect(claude.lastRequest().headers['x-api-key']).toBe('sk-ant-test');
  });

  it('caches identical requests and records the hit with the cost it saved', async () => {
    const ask = () =>
      openai.chat.completions
        .create({
          model: 'cached',
          messages: [{ role: 'user', content: 'cache me' }],
          user: Math.random().toString(),
        })
        .withResponse();
    const first = await ask();
    const second = await ask();
    expect(first.response.headers.get('x-tollgate-cache')).toBe('miss');
    expect(second.response.headers.get('x-tollgate-cache')).toBe('hit');
    expect(second.data.choices[0]!.message.content).toBe(first.data.choices[0]!.message.content);
    const bypass = await openai.chat.completions
      .create(
        { model: 'cached', messages: [{ role: 'user', content: 'cache me' }] },
        { headers: { 'x-tollgate-cache': 'bypass' } },
      )
      .withResponse();
    expect(bypass.response.headers.get('x-tollgate-cache')).toBe('bypass');
    const events = await eventsOf([second.response.headers.get('x-request-id')!]);
    expect(events[0]!.status).toBe('cached');
    expect(events[0]!.cache_hit).toBe(true);
    const streamed = await openai.chat.completions.create({
      model: 'cached',
      messages: [{ role: 'user', content: 'cache me' }],
      stream: true,
    });
    let replayed = '';
    for await (const chunk of streamed) replayed += chunk.choices[0]?.delta.content ?? '';
    expect(replayed).toBe(first.data.choices[0]!.message.content);
  });

  it('lists the routed models first, then simulated examples', async () => {
    const models = await openai.models.list();
    const ids = models.data.map((model) => model.id);
    expect(ids.slice(0, 3)).toEqual(['cached', 'chat-failover', 'claude']);
    expect(ids).toContain('simulated/demo');
  });
});

describe('the official Anthropic client through the gateway', () => {
  it('sends messages and streams them, served by any deployment', async () => {
    const message = await anthropic.messages.create({
      model: 'simulated/claude-like',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'Hello there' }],
    });
    expect(message.type).toBe('message');
    expect(message.content[0]!.type).toBe('text');
    expect(message.usage.output_tokens).toBeGreaterThan(0);

    const stream = anthropic.messages.stream({
      model: 'simulated/claude-like',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'Hello there' }],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]!.type === 'text' && final.content[0]!.text).toBe(
      message.content[0]!.type === 'text' && message.content[0]!.text,
    );
  });

  it('surfaces errors as the Anthropic client error types', async () => {
    const error = await anthropic.messages
      .create({ model: 'nowhere', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
  });
});
