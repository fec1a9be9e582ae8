/**
 * The circuit breaker through the real server and the official client: it
 * opens after repeated failures, then the next call skips the deployment
 * without calling it; after the cool-down exactly one probe goes through,
 * its failure re-opens the breaker and its success closes it; and each call
 * left one `prompt_call` event. The server's clock is a `ManualClock`: the
 * cool-down and the probe's attempt timeout pass when the test moves it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ManualClock } from '@tollgate/core';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openAIDeployment,
  route,
  startGatewayServer,
  type GatewayServer,
} from '../helpers/gateway-server';
import { FIXTURE_TEXT } from '../helpers/gateway-streams';
import { until } from '../helpers/poll';
import { startOpenAIUpstream } from '../helpers/upstreams/openai-upstream';
import type { ScriptedUpstream } from '../helpers/upstreams/scripted-upstream';
import { ArrivalLog, newRequestId, promptCallCounts, promptCallOf } from './gateway-call-records';

/** Breakers open after this many failures in the window... */
const BREAKER_FAILURES = 2;
/** ...and let a probe through after this long. */
const BREAKER_COOLDOWN_MS = 1_000;
/** How long the probe hangs before its attempt times out. */
const PROBE_TIMEOUT_MS = 1_000;
const MESSAGES: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'hi' }];

const clock = new ManualClock(Date.now());
let gateway: GatewayServer;
let primary: ScriptedUpstream;
let secondary: ScriptedUpstream;
let log: ArrivalLog;
/** Every request id sent, to check at the end that each left exactly one event. */
const sentRequestIds: string[] = [];

beforeAll(async () => {
  [primary, secondary] = await Promise.all([startOpenAIUpstream(), startOpenAIUpstream()]);
  log = new ArrivalLog({ breakerPrimary: primary, breakerSecondary: secondary });
  // Opening the embedded stores takes seconds, many more on a busy machine (hence the hook's timeout).
  gateway = await startGatewayServer(
    [
      route(
        'breaker',
        openAIDeployment('breakerPrimary', primary, { maxRetries: 0, timeoutMs: PROBE_TIMEOUT_MS }),
        openAIDeployment('breakerSecondary', secondary, { priority: 1, maxRetries: 0 }),
      ),
    ],
    {
      TOLLGATE_BREAKER_FAILURES: String(BREAKER_FAILURES),
      TOLLGATE_BREAKER_COOLDOWN_MS: String(BREAKER_COOLDOWN_MS),
    },
    { clock },
  );
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await Promise.all([primary?.close(), secondary?.close()]);
});

describe('the circuit breaker, through HTTP', () => {
  async function breakerState(): Promise<string> {
    const { app, tenant } = gateway.server;
    const resolved = await app.gateway.routeTable.resolve(tenant.orgId, 'breaker');
    const deployment = resolved!.deployments.find((each) => each.id === 'breakerPrimary')!;
    return (await app.gateway.router.snapshot(tenant.orgId, deployment)).state;
  }

  async function callBreakerRoute(label: string) {
    const id = newRequestId(label);
    sentRequestIds.push(id);
    const { data, response } = await gateway.openai.chat.completions
      .create({ model: 'breaker', messages: MESSAGES }, { headers: { 'x-request-id': id } })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe(FIXTURE_TEXT);
    return { id, attemptsHeader: response.headers.get('x-tollgate-attempts') };
  }

  async function waitForArrivals(count: number): Promise<void> {
    await until(() => log.arrivals.length >= count, `${count} requests to arrive`);
  }

  it(`opens after ${BREAKER_FAILURES} failures: the next call skips the deployment without calling it`, async () => {
    const failures: string[] = [];
    for (let failure = 1; failure <= BREAKER_FAILURES; failure++) {
      log.clear();
      primary.script('server-error');
      secondary.script('text');
      const { id, attemptsHeader } = await callBreakerRoute(`breaker-failure-${failure}`);
      expect(log.order()).toEqual(['breakerPrimary', 'breakerSecondary']);
      expect(attemptsHeader).toBe('2');
      failures.push(id);
    }
    expect(await breakerState()).toBe('open');

    log.clear();
    secondary.script('text');
    const skipped = await callBreakerRoute('breaker-skipped');
    expect(log.order()).toEqual(['breakerSecondary']);
    expect(skipped.attemptsHeader).toBe('1');

    for (const id of failures) {
      expect(await promptCallOf(gateway.reader, id)).toMatchObject({
        status: 'success',
        attempts: 2,
        providers_tried: ['breakerPrimary', 'breakerSecondary'],
      });
    }
    expect(await promptCallOf(gateway.reader, skipped.id)).toMatchObject({
      status: 'success',
      attempts: 1,
      providers_tried: ['breakerSecondary'],
    });
  });

  it('lets exactly one probe through after the cool-down; its failure re-opens, its success closes', async () => {
    await clock.advance(BREAKER_COOLDOWN_MS);
    log.clear();
    // The probe hangs until its attempt times out: calls made meanwhile must not reach the upstream.
    primary.script('hang');
    secondary.script('text');
    secondary.script('text');
    secondary.script('text');
    const primaryCalls = primary.requests.length;
    const probe = callBreakerRoute('breaker-failed-probe');
    await waitForArrivals(1);
    expect(await breakerState()).toBe('half-open');
    const during = await Promise.all([
      callBreakerRoute('breaker-during-probe-1'),
      callBreakerRoute('breaker-during-probe-2'),
    ]);
    expect(primary.requests.length).toBe(primaryCalls + 1);
    // The probe's attempt times out when the clock reaches it; it then fails over.
    await clock.advance(PROBE_TIMEOUT_MS);
    const failedProbe = await probe;
    expect(log.order()).toEqual([
      'breakerPrimary',
      'breakerSecondary',
      'breakerSecondary',
      'breakerSecondary',
    ]);
    expect(await breakerState()).toBe('open');
    expect(failedProbe.attemptsHeader).toBe('2');
    expect(await promptCallOf(gateway.reader, failedProbe.id)).toMatchObject({
      status: 'success',
      attempts: 2,
      providers_tried: ['breakerPrimary', 'breakerSecondary'],
    });
    for (const call of during) {
      expect(call.attemptsHeader).toBe('1');
      expect(await promptCallOf(gateway.reader, call.id)).toMatchObject({
        attempts: 1,
        providers_tried: ['breakerSecondary'],
      });
    }

    await clock.advance(BREAKER_COOLDOWN_MS);
    log.clear();
    primary.script('text');
    const goodProbe = await callBreakerRoute('breaker-good-probe');
    expect(log.order()).toEqual(['breakerPrimary']);
    expect(await breakerState()).toBe('closed');
    expect(await promptCallOf(gateway.reader, goodProbe.id)).toMatchObject({
      status: 'success',
      attempts: 1,
      providers_tried: ['breakerPrimary'],
    });

    primary.script('text');
    await callBreakerRoute('breaker-closed');
    expect(log.order()).toEqual(['breakerPrimary', 'breakerPrimary']);
  });
});

describe('recording', () => {
  it('left exactly one prompt_call event for every call above', async (context) => {
    // Run alone (a `-t` filter), there is nothing to check.
    if (sentRequestIds.length === 0) return context.skip();
    // Recording is asynchronous: wait until every call has one, then look for any extra.
    let counts = await promptCallCounts(gateway.reader);
    for (let tries = 0; sentRequestIds.some((id) => !counts.has(id)) && tries < 100; tries++) {
      await sleep(50);
      counts = await promptCallCounts(gateway.reader);
    }
    for (const id of sentRequestIds)
      expect({ id, count: counts.get(id) }).toEqual({ id, count: 1 });
  });
});
