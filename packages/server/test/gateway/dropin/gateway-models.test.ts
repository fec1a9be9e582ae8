/**
 * `GET /v1/models` lists every model the key can call, so model pickers in
 * clients are not empty on a fresh install: the routes, each provider's
 * models once a credential for it exists, and simulated examples.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSender, json } from '../../helpers/admin-requests';
import { route, startGatewayServer, type GatewayServer } from '../../helpers/gateway-server';

let gateway: GatewayServer;
const send = adminSender(() => gateway.server);

beforeAll(async () => {
  gateway = await startGatewayServer(
    [route('support-bot', '{ provider: simulated, model: simulated/support }')],
    { OPENAI_API_KEY: 'sk-from-the-environment' },
  );
}, 120_000);

afterAll(async () => {
  await gateway?.close();
});

describe('GET /v1/models with the official OpenAI client', () => {
  it('lists routes, the models of providers with a key, and simulated examples', async () => {
    const models = (await gateway.openai.models.list()).data;
    const owners = new Map(models.map((model) => [model.id, model.owned_by]));
    expect(models[0]!.id).toBe('support-bot');
    expect(owners.get('support-bot')).toBe('tollgate-file');
    expect(owners.get('gpt-4o-mini')).toBe('openai');
    expect(owners.get('simulated/demo')).toBe('simulated');
    // No Anthropic key yet: its models cannot be called, so they are not listed.
    expect(owners.has('claude-sonnet-4-5')).toBe(false);
    for (const model of models) expect(model.object).toBe('model');
  });

  it("adds a provider's models once the org stores a credential for it", async () => {
    await json(
      await send('PUT', '/api/v1/admin/credentials/anthropic', {
        provider: 'anthropic',
        apiKey: 'sk-ant-stored',
      }),
      200,
    );
    const ids = (await gateway.openai.models.list()).data.map((model) => model.id);
    expect(ids).toContain('claude-sonnet-4-5');
  });

  it('answers a listed simulated model', async () => {
    const completion = await gateway.openai.chat.completions.create({
      model: 'simulated/demo',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(completion.choices[0]!.message.content!.length).toBeGreaterThan(0);
  });
});
