import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openAIDeployment,
  route,
  startGatewayServer,
  type GatewayServer,
} from '../helpers/gateway-server';
import { createTempDir } from '../helpers/temp-dir';
import { postJson } from '../helpers/test-server';
import { openAIWire, startOpenAIUpstream } from '../helpers/upstreams/openai-upstream';
import { replyFor, type ScriptedUpstream } from '../helpers/upstreams/scripted-upstream';

/**
 * The admin price API over HTTP: the catalogue in use and a runtime refresh
 * from a LiteLLM-format file, price lookups, and the unpriced policy of
 * `x-tollgate-max-cost-usd` (refuse by default) on a model nobody priced.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies read field by field
type Body = Record<string, any>;

let gateway: GatewayServer;
let upstream: ScriptedUpstream;
const directory = createTempDir();

const admin = (path: string, init: RequestInit = {}) =>
  gateway.server.request(path, {
    ...init,
    key: gateway.server.tenant.adminKey,
    headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
  });

beforeAll(async () => {
  upstream = await startOpenAIUpstream();
  upstream.fallback = replyFor(openAIWire('openai'), 'text');
  gateway = await startGatewayServer([
    route('local-llama', openAIDeployment('llama', upstream, { model: 'local-llama-3' })),
  ]);
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  directory.remove();
});

describe('admin price API', () => {
  it('shows the dated catalogue, the policy and what a model resolves to', async () => {
    const response = await admin('/api/v1/admin/prices?model=claude-opus-4-6-20260205');
    expect(response.status).toBe(200);
    const body = (await response.json()) as Body;
    expect(body.catalogue).toMatchObject({ source: 'shipped', checked_at: '2026-12-07' });
    expect(body.catalogue.models).toBeGreaterThan(100);
    expect(body.unpriced_policy).toBe('refuse');
    expect(body.price).toMatchObject({
      priced: true,
      matched: 'claude-opus-4-6',
      input: 5,
      output: 25,
      cachedInput: 0.5,
      cacheWrite5m: 6.25,
      cacheWrite1h: 10,
    });
    const unknown = (await (
      await admin('/api/v1/admin/prices?model=local-llama-3')
    ).json()) as Body;
    expect(unknown.price).toEqual({ model: 'local-llama-3', priced: false });
  });

  it('refuses an unpriced model under a max cost, then admits it once an admin prices it', async () => {
    const client = new OpenAI({
      apiKey: gateway.server.tenant.projectKey,
      baseURL: `${gateway.server.url}/v1`,
      maxRetries: 0,
    });
    const ask = () =>
      client.chat.completions
        .create(
          { model: 'local-llama', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] },
          { headers: { 'x-tollgate-max-cost-usd': '0.01' } },
        )
        .then(
          () => undefined,
          (error: unknown) => error as InstanceType<typeof OpenAI.APIError>,
        );
    const before = upstream.requests.length;
    const refused = await ask();
    expect(refused?.status).toBe(422);
    expect(refused?.code).toBe('model_unpriced');
    expect(upstream.requests.length).toBe(before);

    const set = await admin('/api/v1/admin/prices', {
      method: 'PUT',
      body: JSON.stringify({ model: 'local-llama-3', price: { input: 0.1, output: 0.2 } }),
    });
    expect(set.status).toBe(200);
    expect(await ask()).toBeUndefined();
    expect(upstream.requests.length).toBe(before + 1);
  });

  it('loads a newer catalogue in LiteLLM’s format at runtime, and rejects a bad one naming it', async () => {
    const file = join(directory.path, 'model_prices_and_context_window.json');
    writeFileSync(
      file,
      JSON.stringify({
        sample_spec: { litellm_provider: 'one of …' },
        'brand-new-model': {
          input_cost_per_token: 4e-6,
          output_cost_per_token: 1.6e-5,
          litellm_provider: 'openai',
          mode: 'chat',
        },
      }),
    );
    const loaded = await admin('/api/v1/admin/prices/catalogue', {
      method: 'POST',
      body: JSON.stringify({ source: file }),
    });
    expect(loaded.status).toBe(200);
    expect(((await loaded.json()) as Body).catalogue).toMatchObject({ source: file, models: 1 });

    const ingested = await postJson(gateway.server, '/api/v1/events', [
      {
        event_type: 'prompt_call',
        run_id: 'catalogue-refresh',
        model: 'brand-new-model',
        input_tokens: 1_000_000,
        output_tokens: 0,
      },
    ]);
    expect(ingested.status).toBe(200);
    const listed = await gateway.server.request('/api/v1/events?run_id=catalogue-refresh');
    const { events } = (await listed.json()) as { events: Array<Record<string, unknown>> };
    expect(events[0]).toMatchObject({ cost_nanos: 4_000_000_000, cost_source: 'catalogue' });

    const bad = await admin('/api/v1/admin/prices/catalogue', {
      method: 'POST',
      body: JSON.stringify({ source: join(directory.path, 'missing.json') }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Body).error.details).toMatchObject({ field: 'source' });

    const shipped = await admin('/api/v1/admin/prices/catalogue', {
      method: 'POST',
      body: JSON.stringify({ shipped: true }),
    });
    expect(((await shipped.json()) as Body).catalogue.source).toBe('shipped');
  });

  it('lets only the operator set global prices, and an org admin set its own', async () => {
    const meta = gateway.server.app.stores.meta;
    const organization = await meta.createOrganization({ name: 'tenant-b', plan: 'free' });
    const { issueApiKey } = await import('../../src/auth/issue-api-key');
    const tenantAdmin = (
      await issueApiKey(meta, { orgId: organization.id, name: 'b admin', scopes: ['admin'] })
    ).secret;
    const request = (scope: string) =>
      gateway.server.request('/api/v1/admin/prices', {
        method: 'PUT',
        key: tenantAdmin,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', scope, price: { input: 1, output: 1 } }),
      });
    expect((await request('global')).status).toBe(403);
    expect((await request('org')).status).toBe(200);
    const invalid = await admin('/api/v1/admin/prices', {
      method: 'PUT',
      body: JSON.stringify({ model: 'gpt-4o', price: { input: -1, output: 1 } }),
    });
    expect(invalid.status).toBe(400);
  });
});
