/**
 * What an org's and a project's own settings change on the call path, through
 * the real server and the official client: the org's price overrides (set with
 * the admin API) price its calls, in `x-tollgate-cost-usd` and on the recorded
 * event, streams and embeddings included; a project with content storage off
 * keeps prompts and responses out of its events, and still records the rest.
 * The key cache stays on (its default): a change must reach the next call.
 */
import { calculateCost, tokenUsageOf, type OpenAIUsage, type PriceOverrides } from '@tollgate/core';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openAIDeployment,
  route,
  startGatewayServer,
  type GatewayServer,
} from '../helpers/gateway-server';
import { FIXTURE_TEXT } from '../helpers/gateway-streams';
import { postJson, type TestServer } from '../helpers/test-server';
import { startOpenAIUpstream } from '../helpers/upstreams/openai-upstream';
import type { ScriptedUpstream } from '../helpers/upstreams/scripted-upstream';
import { newRequestId, promptCallOf, type EventReader } from './gateway-call-records';

const PROMPT = 'a prompt that must not be stored';
const MESSAGES: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: PROMPT }];

let gateway: GatewayServer;
let server: TestServer;
let upstream: ScriptedUpstream;
let reader: EventReader;
let openai: OpenAI;

beforeAll(async () => {
  upstream = await startOpenAIUpstream();
  const deployment = (model: string) => openAIDeployment(model, upstream, { model });
  gateway = await startGatewayServer([
    route('priced', deployment('gpt-4o-mini')),
    route('embed', deployment('text-embedding-3-small')),
  ]);
  ({ server, reader, openai } = gateway);
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

async function patchAsAdmin(path: string, body: unknown): Promise<void> {
  const response = await server.request(path, {
    method: 'PATCH',
    key: server.tenant.adminKey,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

function setPriceOverrides(overrides: PriceOverrides | null): Promise<void> {
  return patchAsAdmin(`/api/v1/admin/orgs/${server.tenant.orgId}`, {
    price_overrides: overrides,
  });
}

/** A non-streamed call through the official client: the answer, its cost header and its request id. */
async function chat() {
  const id = newRequestId('settings');
  upstream.script('text');
  const { data, response } = await openai.chat.completions
    .create({ model: 'priced', messages: MESSAGES }, { headers: { 'x-request-id': id } })
    .withResponse();
  return { id, data, costHeader: response.headers.get('x-tollgate-cost-usd') };
}

/** A streamed call read to its end: the text, the usage it reported, its request id. */
async function streamChat() {
  const id = newRequestId('settings-stream');
  upstream.script('text-stream');
  const stream = await openai.chat.completions.create(
    {
      model: 'priced',
      messages: MESSAGES,
      stream: true,
      stream_options: { include_usage: true },
    },
    { headers: { 'x-request-id': id } },
  );
  let text = '';
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? '';
    usage = chunk.usage ?? usage;
  }
  return { id, text, usage: usage! };
}

function costNanosOf(model: string, usage: OpenAI.CompletionUsage, overrides?: PriceOverrides) {
  return calculateCost(model, tokenUsageOf(usage as OpenAIUsage), overrides).costNanos;
}

const OVERRIDES: PriceOverrides = {
  'gpt-4o-mini': { provider: 'openai', input: 40, output: 90, cachedInput: 5 },
};
const NEWER_OVERRIDES: PriceOverrides = {
  'gpt-4o-mini': { provider: 'openai', input: 7, output: 11 },
};

describe("the org's price overrides", () => {
  it('price its calls once an admin sets them: the cost header and the event both change', async () => {
    const listed = await chat();
    const listPrice = costNanosOf('gpt-4o-mini', listed.data.usage!);
    expect(listPrice).toBeGreaterThan(0);
    expect(listed.costHeader).toBe((listPrice / 1e9).toFixed(9));
    expect((await promptCallOf(reader, listed.id)).cost_nanos).toBe(listPrice);

    await setPriceOverrides(OVERRIDES);
    const overridden = await chat();
    const ownPrice = costNanosOf('gpt-4o-mini', overridden.data.usage!, OVERRIDES);
    expect(ownPrice).not.toBe(listPrice);
    expect(overridden.costHeader).toBe((ownPrice / 1e9).toFixed(9));
    expect((await promptCallOf(reader, overridden.id)).cost_nanos).toBe(ownPrice);
  });

  it('price a streamed call, and a later change reaches the next call', async () => {
    await setPriceOverrides(OVERRIDES);
    const first = await streamChat();
    expect(first.text).toBe(FIXTURE_TEXT);
    const firstPrice = costNanosOf('gpt-4o-mini', first.usage, OVERRIDES);
    expect((await promptCallOf(reader, first.id)).cost_nanos).toBe(firstPrice);

    await setPriceOverrides(NEWER_OVERRIDES);
    const second = await streamChat();
    const secondPrice = costNanosOf('gpt-4o-mini', second.usage, NEWER_OVERRIDES);
    expect(secondPrice).not.toBe(firstPrice);
    expect((await promptCallOf(reader, second.id)).cost_nanos).toBe(secondPrice);

    // Cleared, the list price is back.
    await setPriceOverrides(null);
    const listed = await chat();
    expect(listed.costHeader).toBe(
      (costNanosOf('gpt-4o-mini', listed.data.usage!) / 1e9).toFixed(9),
    );
  });

  it('price embeddings', async () => {
    const overrides: PriceOverrides = {
      'text-embedding-3-small': { provider: 'openai', input: 1_000, output: 0 },
    };
    await setPriceOverrides(overrides);
    upstream.script('embeddings');
    const id = newRequestId('settings-embed');
    const { data, response } = await openai.embeddings
      .create({ model: 'embed', input: ['a', 'b'] }, { headers: { 'x-request-id': id } })
      .withResponse();
    const expected = calculateCost(
      'text-embedding-3-small',
      { inputTokens: data.usage.prompt_tokens, outputTokens: 0 },
      overrides,
    ).costNanos;
    expect(expected).toBe(data.usage.prompt_tokens * 1_000_000);
    expect(response.headers.get('x-tollgate-cost-usd')).toBe((expected / 1e9).toFixed(9));
    await setPriceOverrides(null);
  });
});

describe("the project's content storage", () => {
  it('stores the prompt and the response while it is on', async () => {
    const call = await chat();
    const event = await promptCallOf(reader, call.id);
    expect(event.input).toContain(PROMPT);
    expect(event.output).toContain(FIXTURE_TEXT);
  });

  it('keeps both out of the events once it is off, streamed or not, and records the rest', async () => {
    await patchAsAdmin(`/api/v1/admin/projects/${server.tenant.projectId}`, {
      content_storage: false,
    });
    const call = await chat();
    expect(call.data.choices[0]!.message.content).toBe(FIXTURE_TEXT);
    const streamed = await streamChat();
    expect(streamed.text).toBe(FIXTURE_TEXT);

    for (const [id, usage] of [
      [call.id, call.data.usage!],
      [streamed.id, streamed.usage],
    ] as const) {
      const event = await promptCallOf(reader, id);
      expect(event).toMatchObject({
        status: 'success',
        input: '',
        output: '',
        model: 'gpt-4o-mini',
        input_tokens: usage.prompt_tokens,
        output_tokens: usage.completion_tokens,
        cost_nanos: costNanosOf('gpt-4o-mini', usage),
      });
      expect(event.cost_nanos).toBeGreaterThan(0);
    }

    // The same holds for a call the app reports itself (SDK, ingestion API).
    const reported = newRequestId('reported');
    const ingested = await postJson(server, '/api/v1/events', [
      {
        event_type: 'prompt_call',
        run_id: reported,
        request_id: reported,
        model: 'gpt-4o-mini',
        input: PROMPT,
        output: FIXTURE_TEXT,
        input_tokens: 12,
        output_tokens: 3,
      },
    ]);
    expect(ingested.status).toBe(200);
    expect(await promptCallOf(reader, reported)).toMatchObject({
      input: '',
      output: '',
      input_tokens: 12,
      output_tokens: 3,
    });

    await patchAsAdmin(`/api/v1/admin/projects/${server.tenant.projectId}`, {
      content_storage: true,
    });
    const again = await chat();
    expect((await promptCallOf(reader, again.id)).input).toContain(PROMPT);
  });
});
