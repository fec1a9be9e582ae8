/**
 * The gateway router's timing on an injected clock (STYLE 15): backoff with
 * full jitter, Retry-After, the per-attempt timeout and the breaker's
 * cool-down, to the millisecond and without sleeping. The router is built
 * directly, with the real providers calling loopback upstreams; only time is
 * fake, so the tests wait (in real time) only for requests to arrive.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CircuitBreaker,
  createSeededRandom,
  InMemoryBreakerStateStore,
  ManualClock,
  type MetaStore,
} from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayRouter, type RoutedCall } from '../../src/gateway/call/gateway-router';
import { SecretBox } from '../../src/secrets/secret-box';
import { createProviders, createUpstreamDispatcher } from '../../src/gateway/providers';
import {
  RouteTable,
  type ResolvedRoute,
  type RoutedDeployment,
} from '../../src/gateway/routing/route-table';
import { startOpenAIUpstream } from '../helpers/upstreams/openai-upstream';
import { until } from '../helpers/poll';
import type { ScriptedUpstream } from '../helpers/upstreams/scripted-upstream';

const START = Date.UTC(2025, 0, 1);
/** Distinct from any retry delay, so the recorded sleeps tell them apart. */
const DEADLINE_MS = 600_000;
const TIMEOUT_MS = 120_000;
/** The router's cap on a backoff delay and on an honoured Retry-After. */
const MAX_BACKOFF_MS = 10_000;
const MAX_RETRY_AFTER_MS = 30_000;

/** A `ManualClock` that remembers every sleep asked of it. */
class RecordingClock extends ManualClock {
  readonly sleeps: number[] = [];

  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return super.sleep(ms, signal);
  }

  /** The retry waits: every sleep but the run's deadline and the attempts' timeouts. */
  retryDelays(): number[] {
    return this.sleeps.filter((ms) => ms !== DEADLINE_MS && ms !== TIMEOUT_MS);
  }
}

const dispatcher = createUpstreamDispatcher();
let primary: ScriptedUpstream;
let secondary: ScriptedUpstream;

beforeAll(async () => {
  [primary, secondary] = await Promise.all([startOpenAIUpstream(), startOpenAIUpstream()]);
});

afterAll(async () => {
  // Upstreams first: closing them ends any request still hanging, which the pool would wait for.
  await Promise.all([primary?.close(), secondary?.close()]);
  await dispatcher.close();
});

function deployment(
  id: string,
  upstream: ScriptedUpstream,
  settings: Partial<RoutedDeployment> = {},
): RoutedDeployment {
  return {
    id,
    provider: 'openai',
    model: 'gpt-4o-mini',
    baseUrl: `${upstream.url}/v1`,
    apiKey: 'sk-test',
    priority: 0,
    weight: 1,
    timeoutMs: TIMEOUT_MS,
    maxRetries: 1,
    ...settings,
  };
}

function route(deployments: RoutedDeployment[], deadlineMs = DEADLINE_MS): ResolvedRoute {
  return { model: 'timed', source: 'file', deployments, cacheTtlMs: 0, deadlineMs };
}

interface Harness {
  clock: RecordingClock;
  router: GatewayRouter;
  breaker: CircuitBreaker;
  /** Every value the router drew from its random source, in order. */
  draws: number[];
  run(resolved: ResolvedRoute): Promise<RoutedCall<unknown>>;
}

function harness(options: { seed?: number; retryBaseMs: number }): Harness {
  const clock = new RecordingClock(START);
  const seeded = createSeededRandom(options.seed ?? 7);
  const draws: number[] = [];
  const random = () => {
    const draw = seeded();
    draws.push(draw);
    return draw;
  };
  const breaker = new CircuitBreaker({
    clock,
    store: new InMemoryBreakerStateStore(),
    failureThreshold: 2,
    coolDownMs: 1_000,
  });
  const router = new GatewayRouter({
    providers: createProviders({ dispatcher, now: () => clock.now() }),
    breaker,
    // Only read for a route's fallback model, which these routes do not have.
    routeTable: new RouteTable({
      meta: {} as MetaStore,
      secretBox: new SecretBox(randomBytes(32)),
      fileRoutes: [],
      environment: {},
    }),
    clock,
    random,
    retryBaseMs: options.retryBaseMs,
  });
  const run = (resolved: ResolvedRoute) =>
    router.run('org', resolved, new AbortController().signal, (provider, target, signal) =>
      provider.chat(
        { model: target.model, messages: [{ role: 'user', content: 'hi' }] },
        { deployment: target, signal, requestId: 'timing-test' },
      ),
    );
  return { clock, router, breaker, draws, run };
}

/** Long enough for a request sent by mistake to reach a loopback upstream. */
const quietPeriod = () => sleep(30);

function resetUpstreams(): void {
  for (const upstream of [primary, secondary]) upstream.requests.length = 0;
}

/**
 * Advances the clock to one millisecond before the pending retry is due, checks
 * the upstream saw nothing new, then the last millisecond, and waits for it.
 */
async function expectRetryAfter(
  h: Harness,
  upstream: ScriptedUpstream,
  delayMs: number,
): Promise<void> {
  const seen = upstream.requests.length;
  if (delayMs > 0) {
    await h.clock.advance(delayMs - 1);
    await quietPeriod();
    expect(upstream.requests.length).toBe(seen);
  }
  await h.clock.advance(delayMs > 0 ? 1 : 0);
  await until(() => upstream.requests.length === seen + 1, 'the retry');
}

describe('GatewayRouter on an injected clock', () => {
  it('backs off exponentially with full jitter, capped at the maximum', async () => {
    resetUpstreams();
    const retryBaseMs = 4_000;
    const h = harness({ retryBaseMs, seed: 11 });
    for (let failure = 0; failure < 3; failure++) primary.script('server-error');
    primary.script('text');
    const running = h.run(route([deployment('primary', primary, { maxRetries: 3 })]));

    let elapsed = 0;
    for (let failed = 1; failed <= 3; failed++) {
      await until(
        () => primary.requests.length === failed && h.clock.retryDelays().length === failed,
        `the wait after failure ${failed}`,
      );
      const delay = h.clock.retryDelays()[failed - 1]!;
      // Full jitter: uniform over [0, min(max, base·2^(n−1))), drawn from the injected source.
      const ceiling = Math.min(MAX_BACKOFF_MS, retryBaseMs * 2 ** (failed - 1));
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(ceiling);
      expect(delay).toBe(Math.floor(h.draws.at(-1)! * ceiling));
      await expectRetryAfter(h, primary, delay);
      elapsed += delay;
    }

    const result = await running;
    expect(result.attempts.map((attempt) => attempt.outcome)).toEqual([
      'failure',
      'failure',
      'failure',
      'success',
    ]);
    expect(h.clock.now() - START).toBe(elapsed);
  });

  it('spreads the first wait over the whole jitter range across seeds', async () => {
    const retryBaseMs = 1_000;
    const fractions: number[] = [];
    for (let seed = 1; seed <= 12; seed++) {
      resetUpstreams();
      const h = harness({ retryBaseMs, seed });
      primary.script('server-error');
      primary.script('text');
      const running = h.run(route([deployment('primary', primary)]));
      await until(() => h.clock.retryDelays().length === 1, 'the wait');
      const delay = h.clock.retryDelays()[0]!;
      await expectRetryAfter(h, primary, delay);
      await running;
      fractions.push(delay / retryBaseMs);
    }
    expect(Math.max(...fractions)).toBeLessThan(1);
    expect(Math.min(...fractions)).toBeLessThan(0.25);
    expect(Math.max(...fractions)).toBeGreaterThan(0.75);
  });

  it('honours Retry-After (milliseconds, seconds or a date), capped at its maximum', async () => {
    resetUpstreams();
    const h = harness({ retryBaseMs: 1_000 });
    const rateLimited = (headers: Record<string, string>) =>
      primary.reply({
        type: 'json',
        status: 429,
        body: { error: { message: 'Rate limit reached', type: 'requests' } },
        headers,
      });
    rateLimited({ 'retry-after-ms': '5000' });
    // Read at the second call, when the clock is 5 s past START: 7 s away.
    rateLimited({ 'retry-after': new Date(START + 12_000).toUTCString() });
    rateLimited({ 'retry-after': '120' });
    primary.script('text');
    const running = h.run(route([deployment('primary', primary, { maxRetries: 3 })]));

    const expected = [5_000, 7_000, MAX_RETRY_AFTER_MS];
    for (const [index, delay] of expected.entries()) {
      await until(() => h.clock.retryDelays().length === index + 1, `wait ${index + 1}`);
      expect(h.clock.retryDelays()[index]).toBe(delay);
      await expectRetryAfter(h, primary, delay);
    }
    const result = await running;
    expect(result.attempts).toHaveLength(4);
    expect(h.clock.now() - START).toBe(5_000 + 7_000 + MAX_RETRY_AFTER_MS);
  });

  it('fails over at once when Retry-After would run past the deadline', async () => {
    resetUpstreams();
    const h = harness({ retryBaseMs: 1_000 });
    primary.reply({
      type: 'json',
      status: 429,
      body: { error: { message: 'Rate limit reached', type: 'requests' } },
      headers: { 'retry-after': '20' },
    });
    secondary.script('text');
    const result = await h.run(
      route(
        [deployment('primary', primary), deployment('secondary', secondary, { priority: 1 })],
        10_000,
      ),
    );
    expect(result.deployment.id).toBe('secondary');
    expect(result.attempts.map((attempt) => [attempt.candidateId, attempt.outcome])).toEqual([
      ['primary', 'failure'],
      ['secondary', 'success'],
    ]);
    // The only sleep was the run's deadline: no retry wait.
    expect(h.clock.sleeps.filter((ms) => ms !== TIMEOUT_MS)).toEqual([10_000]);
    expect(h.clock.now()).toBe(START);
  });

  it('times an attempt out on the injected clock, then fails over', async () => {
    resetUpstreams();
    const h = harness({ retryBaseMs: 1_000 });
    primary.script('hang');
    secondary.script('text');
    const running = h.run(
      route([
        deployment('primary', primary, { maxRetries: 0 }),
        deployment('secondary', secondary, { priority: 1 }),
      ]),
    );
    await until(() => primary.requests.length === 1, 'the hanging request');
    await h.clock.advance(TIMEOUT_MS - 1);
    await quietPeriod();
    expect(secondary.requests).toHaveLength(0);
    await h.clock.advance(1);

    const result = await running;
    expect(result.deployment.id).toBe('secondary');
    const [timedOut, served] = result.attempts;
    expect(timedOut).toMatchObject({
      candidateId: 'primary',
      outcome: 'failure',
      latencyMs: TIMEOUT_MS,
    });
    expect(timedOut!.error).toMatchObject({ kind: 'timeout', isRetryable: true });
    expect(served).toMatchObject({ candidateId: 'secondary', outcome: 'success' });
  });

  it('skips a deployment whose breaker is open until the cool-down has passed, to the millisecond', async () => {
    resetUpstreams();
    const h = harness({ retryBaseMs: 1_000 });
    const resolved = route([
      deployment('primary', primary, { maxRetries: 0 }),
      deployment('secondary', secondary, { priority: 1, maxRetries: 0 }),
    ]);
    const servedBy = async () => {
      const result = await h.run(resolved);
      return result.attempts.map((attempt) => `${attempt.candidateId}:${attempt.outcome}`);
    };

    for (let failure = 0; failure < 2; failure++) {
      primary.script('server-error');
      secondary.script('text');
      expect(await servedBy()).toEqual(['primary:failure', 'secondary:success']);
    }
    expect((await h.router.snapshot('org', resolved.deployments[0]!)).state).toBe('open');

    secondary.script('text');
    expect(await servedBy()).toEqual(['primary:skipped', 'secondary:success']);
    await h.clock.advance(999);
    secondary.script('text');
    expect(await servedBy()).toEqual(['primary:skipped', 'secondary:success']);
    expect(primary.requests).toHaveLength(2);

    await h.clock.advance(1);
    primary.script('text');
    expect(await servedBy()).toEqual(['primary:success']);
    expect(primary.requests).toHaveLength(3);
    expect((await h.router.snapshot('org', resolved.deployments[0]!)).state).toBe('closed');
  });
});
