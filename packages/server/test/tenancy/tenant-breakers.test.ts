/**
 * Two orgs on one provider and model: org A's failing calls open org A's
 * breaker only. Org B keeps being served, its health shows a closed breaker,
 * and a shared outage opens B's breaker on B's own failures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key';
import {
  openAIDeployment,
  route,
  startGatewayServer,
  type GatewayServer,
} from '../helpers/gateway-server';
import { startOpenAIUpstream } from '../helpers/upstreams/openai-upstream';
import type { ScriptedUpstream } from '../helpers/upstreams/scripted-upstream';

let gateway: GatewayServer;
let upstream: ScriptedUpstream;
let orgB: { id: string; gatewayKey: string; readKey: string };

beforeAll(async () => {
  upstream = await startOpenAIUpstream();
  gateway = await startGatewayServer([route('shared', openAIDeployment('primary', upstream))], {
    TOLLGATE_BREAKER_FAILURES: '2',
    TOLLGATE_BREAKER_COOLDOWN_MS: '600000',
  });
  const { meta } = gateway.server.app.stores;
  const organization = await meta.createOrganization({ name: 'org b' });
  const project = await meta.createProject({ orgId: organization.id, name: 'b' });
  const issue = (scopes: Array<'gateway' | 'read'>) =>
    issueApiKey(meta, { orgId: organization.id, projectId: project.id, name: 'b', scopes });
  orgB = {
    id: organization.id,
    gatewayKey: (await issue(['gateway'])).secret,
    readKey: (await issue(['read'])).secret,
  };
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

function chat(key: string): Promise<Response> {
  return fetch(`${gateway.server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'shared', messages: [{ role: 'user', content: 'hi' }] }),
  });
}

async function breakerOf(key: string): Promise<string> {
  const response = await fetch(`${gateway.server.url}/api/v1/providers/health`, {
    headers: { authorization: `Bearer ${key}` },
  });
  const answer = (await response.json()) as {
    deployments: Array<{ id: string; breaker: { state: string } }>;
  };
  return answer.deployments.find((deployment) => deployment.id === 'primary')!.breaker.state;
}

describe('circuit breakers are per org', () => {
  it("org A's failures open org A's breaker and never refuse org B", async () => {
    const keyOfA = gateway.server.tenant.projectKey;
    for (let failure = 0; failure < 2; failure++) {
      upstream.script('server-error');
      expect((await chat(keyOfA)).status).toBeGreaterThanOrEqual(500);
    }
    expect(await breakerOf(gateway.server.tenant.adminKey)).toBe('open');
    // A is refused without reaching the upstream; B is served by it.
    const seen = upstream.requests.length;
    expect((await chat(keyOfA)).status).toBe(503);
    expect(upstream.requests).toHaveLength(seen);
    upstream.script('text');
    const served = await chat(orgB.gatewayKey);
    expect(served.status, await served.clone().text()).toBe(200);
    expect(upstream.requests).toHaveLength(seen + 1);
    expect(await breakerOf(orgB.readKey)).toBe('closed');
  });

  it("a shared outage opens org B's breaker on org B's own failures", async () => {
    for (let failure = 0; failure < 2; failure++) {
      upstream.script('server-error');
      expect((await chat(orgB.gatewayKey)).status).toBeGreaterThanOrEqual(500);
    }
    expect(await breakerOf(orgB.readKey)).toBe('open');
    expect((await chat(orgB.gatewayKey)).status).toBe(503);
  });
});
