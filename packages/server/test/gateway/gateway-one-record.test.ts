/**
 * One call, one record: an app that reports its LLM calls itself (the SDK's
 * wrapOpenAI, or OpenTelemetry's instrumentation-openai) and sends them through
 * the gateway is counted once in analytics (requests and cost: the gateway's
 * record), and the app's view of the call is linked to it (the gateway's event
 * sits in the app's run or trace, under the step or span that called).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTollgate, run, step, wrapOpenAI } from '@tollgate/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createTempDir } from '../helpers/temp-dir';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { listEvents, waitForEvents } from '../sdk/sdk-test-support';

/** Routed to the simulated provider serving a priced model name, so each call costs something. */
const MODEL = 'priced-chat';
const here = dirname(fileURLToPath(import.meta.url));
let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function startPricedServer(): Promise<TestServer> {
  const directory = createTempDir();
  const routes = join(directory.path, 'routes.yaml');
  writeFileSync(
    routes,
    `routes:
  - model: ${MODEL}
    deployments:
      - { provider: simulated, model: gpt-4o-mini }
`,
  );
  const started = await startTestServer({ environment: { TOLLGATE_ROUTES: routes } });
  const close = started.close;
  started.close = async () => {
    await close();
    directory.remove();
  };
  return started;
}

/** The tenant's requests and cost as the analytics API counts them (model calls, today). */
async function countedCalls(target: TestServer): Promise<{ requests: number; costNanos: bigint }> {
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();
  const response = await target.request(`/api/v1/analytics/cost?from=${from}&to=${to}`);
  const body = (await response.json()) as { total: { requests: number; cost_nanos: string } };
  return { requests: body.total.requests, costNanos: BigInt(body.total.cost_nanos) };
}

describe('one call, one record', () => {
  it('counts a wrapOpenAI call through the gateway once, in the SDK run, under its step', async () => {
    server = await startPricedServer();
    const tollgate = createTollgate({
      baseUrl: server.url,
      apiKey: server.tenant.projectKey,
      setAsDefault: false,
      flushOnExit: false,
      service: 'one-record-app',
    });
    const client = wrapOpenAI(
      new OpenAI({ apiKey: server.tenant.projectKey, baseURL: `${server.url}/v1`, maxRetries: 0 }),
      { tollgate },
    );
    let stepId = '';
    const runId = await run(
      'one-record',
      async (info) => {
        await step('ask', async (current) => {
          stepId = current.eventId;
          await client.chat.completions.create({
            model: MODEL,
            messages: [{ role: 'user', content: 'Say hello' }],
          });
          const stream = await client.chat.completions.create({
            model: MODEL,
            stream: true,
            messages: [{ role: 'user', content: 'Say hello again' }],
          });
          for await (const chunk of stream) void chunk;
        });
        return info.runId;
      },
      { tollgate },
    );
    await tollgate.flush();
    const calls = await waitForEvents(
      server,
      `event_type=prompt_call&run_id=${runId}`,
      (found) => found.length >= 2,
    );
    // Linked: both gateway records sit in the SDK's run, under its step; the SDK sent none of its own.
    expect(calls.map((call) => call.service)).toEqual(['gateway', 'gateway']);
    expect(calls.every((call) => call.parent_id === stepId)).toBe(true);
    const all = await listEvents(server, `run_id=${runId}`);
    expect(all.filter((event) => event.event_type === 'prompt_call')).toHaveLength(2);

    const counted = await countedCalls(server);
    expect(counted.requests).toBe(2);
    const gatewayCost = calls.reduce((total, call) => total + BigInt(call.cost_nanos), 0n);
    expect(gatewayCost).toBeGreaterThan(0n);
    expect(counted.costNanos).toBe(gatewayCost);
    await tollgate.shutdown();
  }, 60_000);

  it('counts an OpenTelemetry-instrumented openai call through the gateway once, linked in its trace', async () => {
    server = await startPricedServer();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(here, 'fixtures/otel-openai-app.cjs')],
      {
        env: {
          ...process.env,
          TOLLGATE_URL: server.url,
          TOLLGATE_KEY: server.tenant.projectKey,
          MODEL,
        },
        timeout: 60_000,
      },
    );
    const traceId = stdout.trim();
    expect(traceId).toMatch(/^[\da-f]{32}$/);
    // The trace: the app's spans (its step, two GenAI spans, their HTTP spans) and the gateway's two calls.
    const events = await waitForEvents(
      server,
      `run_id=${traceId}`,
      (found) =>
        found.filter((event) => event.metadata?.gateway_call !== undefined).length >= 2 &&
        found.filter((event) => event.service === 'gateway').length >= 2,
    );
    const gatewayCalls = events.filter((event) => event.service === 'gateway');
    const appSpans = events.filter((event) => event.metadata?.gateway_call !== undefined);
    expect(events.filter((event) => event.event_type === 'prompt_call')).toEqual(gatewayCalls);
    expect(gatewayCalls).toHaveLength(2);
    expect(appSpans).toHaveLength(2);
    // Each app span names the gateway request that counts it.
    expect(
      appSpans
        .map((span) => (span.metadata.gateway_call as { request_id: string }).request_id)
        .sort(),
    ).toEqual(gatewayCalls.map((call) => call.request_id).sort());
    expect(appSpans.every((span) => span.event_type === 'custom')).toBe(true);

    const counted = await countedCalls(server);
    expect(counted.requests).toBe(2);
    const gatewayCost = gatewayCalls.reduce((total, call) => total + BigInt(call.cost_nanos), 0n);
    expect(gatewayCost).toBeGreaterThan(0n);
    expect(counted.costNanos).toBe(gatewayCost);
  }, 90_000);
});
