import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptCallOf } from '../gateway/gateway-call-records';
import { createTempDir } from '../helpers/temp-dir';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';
import { startOpenAIUpstream } from '../helpers/upstreams/openai-upstream';
import type { ScriptedUpstream } from '../helpers/upstreams/scripted-upstream';

let server: TestServer;
let upstream: ScriptedUpstream;
let openai: OpenAI;
const directory = createTempDir();

/** The openai client's types require model and messages; a prompt reference replaces them. */
type PromptedBody = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;

interface StoredCall {
  prompt_name: string;
  prompt_version: number;
  model_requested: string;
  status: string;
}

async function storedCall(requestId: string): Promise<StoredCall> {
  return (await promptCallOf(
    { url: server.url, key: server.tenant.projectKey },
    requestId,
  )) as unknown as StoredCall;
}

beforeAll(async () => {
  upstream = await startOpenAIUpstream();
  const routes = join(directory.path, 'routes.yaml');
  writeFileSync(
    routes,
    `routes:
  - model: writer
    deployments:
      - { id: writer, provider: openai, model: gpt-4o-mini, baseUrl: "${upstream.url}/v1", apiKeyEnv: TEST_PROMPT_OPENAI_KEY, maxRetries: 0 }
`,
  );
  process.env.TEST_PROMPT_OPENAI_KEY = 'sk-test-openai';
  server = await startTestServer({
    environment: { TOLLGATE_ROUTES: routes, TEST_PROMPT_OPENAI_KEY: 'sk-test-openai' },
  });
  openai = new OpenAI({
    apiKey: server.tenant.projectKey,
    baseURL: `${server.url}/v1`,
    maxRetries: 0,
  });
  const create = await postJson(
    server,
    `/api/v1/prompts?project_id=${server.tenant.projectId}`,
    {
      name: 'summarize',
      system: 'You write for {{audience}}.',
      template: 'Summarize: {{text}}',
      model: 'writer',
      temperature: 0.2,
      max_tokens: 77,
    },
    server.tenant.adminKey,
  );
  expect(create.status).toBe(201);
  const second = await postJson(
    server,
    `/api/v1/prompts/summarize/versions?project_id=${server.tenant.projectId}`,
    { template: 'In one line: {{text}}', model: 'simulated/prompted' },
    server.tenant.adminKey,
  );
  expect(second.status).toBe(201);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await upstream?.close();
  directory.remove();
});

describe('a prompt reference through the gateway', () => {
  it('renders the active version with its model settings and records name and version', async () => {
    upstream.script('text');
    const { response } = await openai.chat.completions
      .create({
        prompt: { name: 'summarize', variables: { audience: 'children', text: 'the tides' } },
      } as unknown as PromptedBody)
      .withResponse();
    const sent = upstream.lastRequest().json as Record<string, unknown>;
    expect(sent.messages).toEqual([
      { role: 'system', content: 'You write for children.' },
      { role: 'user', content: 'Summarize: the tides' },
    ]);
    expect(sent.model).toBe('gpt-4o-mini');
    expect(sent.temperature).toBe(0.2);
    expect(sent.max_tokens ?? sent.max_completion_tokens).toBe(77);
    expect(sent).not.toHaveProperty('prompt');
    const call = await storedCall(response.headers.get('x-request-id')!);
    expect(call).toMatchObject({
      prompt_name: 'summarize',
      prompt_version: 1,
      model_requested: 'writer',
      status: 'success',
    });
  });

  it('lets the request’s own settings win and appends its messages', async () => {
    upstream.script('text');
    await openai.chat.completions.create({
      temperature: 1.1,
      messages: [{ role: 'user', content: 'and keep it short' }],
      prompt: { name: 'summarize', variables: { audience: 'experts', text: 'x' } },
    } as unknown as PromptedBody);
    const sent = upstream.lastRequest().json as { temperature: number; messages: unknown[] };
    expect(sent.temperature).toBe(1.1);
    expect(sent.messages).toHaveLength(3);
    expect(sent.messages[2]).toEqual({ role: 'user', content: 'and keep it short' });
  });

  it('takes name@version from the x-tollgate-prompt header', async () => {
    const { data, response } = await openai.chat.completions
      .create({ prompt: { variables: { text: 'rain' } } } as unknown as PromptedBody, {
        headers: { 'x-tollgate-prompt': 'summarize@2' },
      })
      .withResponse();
    expect(data.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(response.headers.get('x-tollgate-provider')).toBe('simulated');
    const call = await storedCall(response.headers.get('x-request-id')!);
    expect(call).toMatchObject({ prompt_name: 'summarize', prompt_version: 2 });
  });

  it('works on the Anthropic endpoint too', async () => {
    const anthropic = new Anthropic({
      apiKey: server.tenant.projectKey,
      baseURL: server.url,
      maxRetries: 0,
    });
    const { response } = await anthropic.messages
      .create(
        {
          max_tokens: 50,
          prompt: { version: 2, variables: { text: 'snow' } },
        } as unknown as Anthropic.MessageCreateParamsNonStreaming,
        { headers: { 'x-tollgate-prompt': 'summarize' } },
      )
      .withResponse();
    const call = await storedCall(response.headers.get('x-request-id')!);
    expect(call).toMatchObject({ prompt_name: 'summarize', prompt_version: 2 });
  });

  it('answers 400 naming a missing variable, 404 for an unknown prompt or version, and calls no upstream', async () => {
    const before = upstream.requests.length;
    const cases: Array<[unknown, Record<string, string>, number, string]> = [
      [
        { prompt: { name: 'summarize', variables: { text: 'x' } } },
        {},
        400,
        'prompt.variables.audience',
      ],
      [{ prompt: { name: 'absent' } }, {}, 404, 'prompt.name'],
      [{ prompt: { name: 'summarize', version: 9 } }, {}, 404, 'prompt.version'],
      [
        { prompt: { name: 'summarize', variables: { text: ['x'] } } },
        {},
        400,
        'prompt.variables.text',
      ],
      [{ prompt: { name: 'summarize', color: 1 } }, {}, 400, 'prompt'],
      [
        { model: 'writer', messages: [] },
        { 'x-tollgate-prompt': 'summarize@x' },
        400,
        'x-tollgate-prompt',
      ],
      [{ prompt: { name: 'other' } }, { 'x-tollgate-prompt': 'summarize' }, 400, 'prompt.name'],
      [{ messages: 'hi', prompt: { name: 'summarize' } }, {}, 400, 'messages'],
    ];
    for (const [body, headers, status, param] of cases) {
      const response = await server.request('/v1/chat/completions', {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', ...headers },
      });
      const answer = (await response.json()) as { error: { message: string; param: string } };
      expect(response.status, JSON.stringify(answer)).toBe(status);
      expect(answer.error.param).toBe(param);
      expect(answer.error.message).toContain(param);
    }
    expect(upstream.requests.length).toBe(before);
  });
});
