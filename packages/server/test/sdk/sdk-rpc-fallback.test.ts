/**
 * The RPC proxy against a small JSON-RPC service: existing methods pass
 * through; a missing one is answered through the gateway's
 * `/api/v1/ai/fallback` (simulated models), within a cost cap and a timeout,
 * reported to onFallback and recorded as an `ai_fallback` event.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createRpcClient,
  createRpcProxy,
  createTollgate,
  isAiFallbackError,
  run,
  type AiFallbackOptions,
  type FallbackInfo,
  type Tollgate,
} from '@tollgate/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir } from '../helpers/temp-dir';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';
import { startJsonRpcService, type JsonRpcService } from './json-rpc-service';
import { waitForEvents } from './sdk-test-support';

interface Services {
  math: { add(a: number, b: number): number };
  users: { describeUser(id: number): string; profileCard(id: number): unknown };
}

let server: TestServer;
let service: JsonRpcService;
let tollgate: Tollgate;
const directory = createTempDir();

beforeAll(async () => {
  const routes = join(directory.path, 'routes.yaml');
  writeFileSync(
    routes,
    `routes:
  - model: priced-fallback
    deployments:
      - { provider: simulated, model: gpt-4o }
  - model: slow-fallback
    deployments:
      - { provider: simulated, model: simulated/slow, options: { latencyMs: 3000 } }
`,
  );
  [server, service] = await Promise.all([
    startTestServer({ environment: { TOLLGATE_ROUTES: routes } }),
    startJsonRpcService({ 'math.add': (a: number, b: number) => a + b }),
  ]);
  tollgate = createTollgate({
    baseUrl: server.url,
    apiKey: server.tenant.projectKey,
    setAsDefault: false,
    flushOnExit: false,
  });
});

afterAll(async () => {
  await tollgate.shutdown();
  await Promise.all([server.close(), service.close()]);
  directory.remove();
});

function proxy(fallback: Partial<AiFallbackOptions> = {}, fetchImpl?: typeof fetch) {
  const reports: FallbackInfo[] = [];
  const client = createRpcClient({
    baseUrl: service.url,
    tollgate,
    fetch: fetchImpl,
    aiFallback: {
      enabled: true,
      model: 'simulated/fallback',
      maxCostPerCall: 0.01,
      timeoutMs: 10_000,
      onFallback: (info) => void reports.push(info),
      ...fallback,
    },
  });
  return { $: createRpcProxy<Services>(client), client, reports };
}

describe('createRpcProxy with AI fallback', () => {
  it('passes existing methods through to the service', async () => {
    const { $, reports } = proxy();
    await expect($.math.add(2, 3)).resolves.toBe(5);
    expect(reports).toEqual([]);
    expect(service.calls.at(-1)).toBe('math.add');
  });

  it('answers a missing method through the gateway and records it', async () => {
    const { $, reports } = proxy();
    const result = await run(
      'fallback-run',
      async (info) => ({ info, value: await $.users.describeUser(7) }),
      { tollgate },
    );
    expect(service.calls.at(-1)).toBe('users.describeUser');
    expect(result.value).toBeDefined();
    expect(reports).toHaveLength(1);
    const report = reports[0]!;
    expect(report).toMatchObject({
      ok: true,
      cached: false,
      service: 'users',
      method: 'describeUser',
      args: [7],
      model: 'simulated/fallback',
    });
    expect(report.result).toEqual(result.value);
    expect(['text', 'object']).toContain(report.decision);
    if (report.decision === 'text') expect(typeof result.value).toBe('string');
    expect(report.tokens!.input).toBeGreaterThan(0);
    expect(report.tokens!.output).toBeGreaterThan(0);
    expect(report.costUsd).toBe(0);

    await tollgate.flush();
    const runId = result.info.runId;
    const [fallback] = await waitForEvents(
      server,
      `event_type=ai_fallback&run_id=${runId}`,
      (found) => found.length === 1,
    );
    expect(fallback).toMatchObject({
      service: 'users',
      name: 'describeUser',
      status: 'success',
      decision: report.decision,
      model: 'simulated/fallback',
      input_tokens: report.tokens!.input,
      output_tokens: report.tokens!.output,
      parent_id: runId,
    });
    expect(JSON.parse(fallback!.input)).toEqual([7]);
    expect(fallback!.decision_latency_ms).toBeGreaterThanOrEqual(0);
    // The decision and the generation went through the gateway, linked under the fallback event.
    const calls = await waitForEvents(
      server,
      `event_type=prompt_call&run_id=${runId}`,
      (found) => found.length === 2,
    );
    expect(calls.map((call) => call.parent_id)).toEqual([fallback!.event_id, fallback!.event_id]);
    expect(
      calls.every((call) => call.model === 'simulated/fallback' && call.status === 'success'),
    ).toBe(true);
  });

  it('refuses a fallback whose estimated cost is over maxCostPerCall, before any model call', async () => {
    const { $, reports } = proxy({ model: 'priced-fallback', maxCostPerCall: 0.000_001 });
    const error = await $.users.profileCard(1).catch((caught: unknown) => caught);
    expect(isAiFallbackError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'cost_limit', service: 'users', method: 'profileCard' });
    expect(reports).toMatchObject([{ ok: false, error: { reason: 'cost_limit' } }]);

    await tollgate.flush();
    const events = await waitForEvents(server, 'event_type=ai_fallback&status=blocked', (found) =>
      found.some((event) => event.name === 'profileCard'),
    );
    const blocked = events.find((event) => event.name === 'profileCard')!;
    expect(blocked.error_message).toContain('maxCostUsd');
    const calls = await waitForEvents(
      server,
      `event_type=prompt_call&run_id=${blocked.run_id}`,
      () => true,
    );
    expect(calls).toEqual([]);
  });

  it('keeps a priced fallback within its cap by bounding the generation', async () => {
    const { $, reports } = proxy({ model: 'priced-fallback', maxCostPerCall: 0.005 });
    await $.users.describeUser(2);
    const report = reports[0]!;
    expect(report.ok).toBe(true);
    expect(report.model).toBe('gpt-4o');
    expect(report.costUsd).toBeGreaterThan(0);
    expect(report.costUsd).toBeLessThanOrEqual(0.005);
  });

  it('gives up after timeoutMs and records a timeout', async () => {
    const { $, reports } = proxy({ model: 'slow-fallback', timeoutMs: 300 });
    const startedAt = Date.now();
    const error = await $.users.describeUser(3).catch((caught: unknown) => caught);
    expect(Date.now() - startedAt).toBeLessThan(2500);
    expect(error).toMatchObject({ name: 'AiFallbackError', reason: 'timeout' });
    expect(reports).toMatchObject([{ ok: false, error: { reason: 'timeout' } }]);
    await tollgate.flush();
    await waitForEvents(
      server,
      'event_type=ai_fallback&status=timeout',
      (found) => found.length >= 1,
    );
  });

  it('serves a repeated call from the cache within the TTL', async () => {
    const fallbackCalls: string[] = [];
    const fetchImpl: typeof fetch = (input, init) => {
      if (String(input).endsWith('/api/v1/ai/fallback')) fallbackCalls.push(String(input));
      return fetch(input, init);
    };
    const cached = proxy({ cache: { ttlMs: 60_000 } }, fetchImpl);
    const first = await cached.$.users.describeUser(9);
    const second = await cached.$.users.describeUser(9);
    expect(second).toEqual(first);
    expect(fallbackCalls).toHaveLength(1);
    expect(cached.reports.map((report) => report.cached)).toEqual([false, true]);
    await tollgate.flush();
    await waitForEvents(
      server,
      'event_type=ai_fallback&status=cached',
      (found) => found.length >= 1,
    );
  });

  it('never lets recording or onFallback break the call', async () => {
    const broken: Tollgate = {
      ...tollgate,
      record: () => {
        throw new Error('recording is down');
      },
    };
    const client = createRpcClient({
      baseUrl: service.url,
      tollgate: broken,
      aiFallback: {
        enabled: true,
        model: 'simulated/fallback',
        baseUrl: server.url,
        apiKey: server.tenant.projectKey,
        onFallback: () => {
          throw new Error('the callback failed');
        },
      },
    });
    await expect(createRpcProxy<Services>(client).users.describeUser(4)).resolves.toBeDefined();
  });

  it('answers method-not-found as an RpcError when the fallback is off', async () => {
    const client = createRpcClient({
      baseUrl: service.url,
      aiFallback: { enabled: false, model: 'x' },
    });
    await expect(client.call('users', 'describeUser', [1])).rejects.toMatchObject({
      name: 'RpcError',
      code: -32601,
    });
  });
});

describe('POST /api/v1/ai/fallback', () => {
  it('validates the body, naming the field', async () => {
    const response = await postJson(server, '/api/v1/ai/fallback', {
      method: 'm',
      model: 'simulated/x',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 'invalid_request', details: { field: 'service' } },
    });
    const negative = await postJson(server, '/api/v1/ai/fallback', {
      service: 's',
      method: 'm',
      model: 'simulated/x',
      maxCostUsd: -1,
    });
    expect(await negative.json()).toMatchObject({ error: { details: { field: 'maxCostUsd' } } });
  });

  it('needs a key with the gateway scope and names an unknown model', async () => {
    const anonymous = await fetch(`${server.url}/api/v1/ai/fallback`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    const unknown = await postJson(server, '/api/v1/ai/fallback', {
      service: 's',
      method: 'm',
      model: 'no-such-model',
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      error: { code: 'not_found', details: { field: 'model' } },
    });
  });

  it('answers with the decision, the result, tokens, cost and both latencies', async () => {
    const response = await postJson(server, '/api/v1/ai/fallback', {
      service: 'inventory',
      method: 'listWarehouses',
      args: [{ region: 'eu' }],
      model: 'simulated/fallback',
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(answer).sort()).toEqual(
      [
        'costUsd',
        'decision',
        'decisionLatencyMs',
        'generationLatencyMs',
        'model',
        'result',
        'tokens',
      ].sort(),
    );
    expect(answer).toMatchObject({ model: 'simulated/fallback', costUsd: 0 });
  });
});
