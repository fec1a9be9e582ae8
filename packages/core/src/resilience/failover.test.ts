import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker';
import { ManualClock } from './clock';
import { FailoverOrchestrator, isFailoverError, orderCandidates } from './failover';
import type { FailoverCandidate, FailoverError } from './failover';
import { createSeededRandom } from './random';
import { UpstreamError } from './upstream-error';

const candidates: FailoverCandidate[] = [
  { id: 'backup', priority: 2, weight: 1 },
  { id: 'primary-a', priority: 1, weight: 70 },
  { id: 'primary-b', priority: 1, weight: 20 },
  { id: 'primary-c', priority: 1, weight: 10 },
  { id: 'primary-drained', priority: 1, weight: 0 },
];

const overloaded = () => new UpstreamError({ kind: 'http', status: 503 });
const badRequest = () => new UpstreamError({ kind: 'http', status: 400 });

async function rejectionOf(promise: Promise<unknown>): Promise<FailoverError> {
  const error = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  if (!isFailoverError(error)) throw new Error(`expected a FailoverError, got ${String(error)}`);
  return error;
}

describe('orderCandidates', () => {
  it('tries every candidate of a lower priority number first, zero weights last within it', () => {
    const random = createSeededRandom(1);
    for (let draw = 0; draw < 200; draw++) {
      const order = orderCandidates(candidates, random).map((candidate) => candidate.id);
      expect(order.slice(0, 3).sort()).toEqual(['primary-a', 'primary-b', 'primary-c']);
      expect(order.slice(3)).toEqual(['primary-drained', 'backup']);
    }
  });

  it('picks first in proportion to weight (10,000 draws within ±2%)', () => {
    const random = createSeededRandom(2024);
    const firsts = new Map<string, number>();
    const draws = 10_000;
    for (let draw = 0; draw < draws; draw++) {
      const first = orderCandidates(candidates, random)[0]?.id ?? 'none';
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    const share = (id: string) => (firsts.get(id) ?? 0) / draws;
    expect(Math.abs(share('primary-a') - 0.7)).toBeLessThan(0.02);
    expect(Math.abs(share('primary-b') - 0.2)).toBeLessThan(0.02);
    expect(Math.abs(share('primary-c') - 0.1)).toBeLessThan(0.02);
    expect(share('primary-drained') + share('backup')).toBe(0);
  });
});

describe('FailoverOrchestrator', () => {
  const pair: FailoverCandidate[] = [
    { id: 'a', priority: 1, weight: 1 },
    { id: 'b', priority: 2, weight: 1 },
  ];

  it('returns the first success with the attempts made', async () => {
    const orchestrator = new FailoverOrchestrator({ clock: new ManualClock(), random: () => 0 });
    const result = await orchestrator.run(pair, async (candidate) => `answer from ${candidate.id}`);
    expect(result).toMatchObject({ value: 'answer from a', candidate: { id: 'a' } });
    expect(result.attempts).toEqual([
      { candidateId: 'a', attempt: 1, outcome: 'success', latencyMs: 0 },
    ]);
  });

  it('retries each candidate up to its limit with backoff delays, then gives up reporting every attempt', async () => {
    const clock = new ManualClock();
    const orchestrator = new FailoverOrchestrator({
      clock,
      random: () => 0.5,
      maxRetriesPerCandidate: 2,
      baseMs: 1_000,
    });
    const calls: string[] = [];
    const errors: UpstreamError[] = [];
    const running = orchestrator.run(
      [...pair.slice(0, 1), { ...pair[1]!, maxRetries: 0 }],
      async (candidate, attempt) => {
        calls.push(`${candidate.id}#${attempt}@${clock.now()}`);
        await clock.sleep(100); // the upstream takes 100 ms to fail
        const error = overloaded();
        errors.push(error);
        throw error;
      },
    );
    const failure = rejectionOf(running);
    await clock.advance(60_000);
    const error = await failure;

    // a: 0, +100 latency +500 delay, +100 +1000 delay; then b at once, once.
    expect(calls).toEqual(['a#1@0', 'a#2@600', 'a#3@1700', 'b#1@1800']);
    expect(error.reason).toBe('exhausted');
    expect(error.lastError).toBe(errors[3]);
    expect(error.attempts).toEqual([
      { candidateId: 'a', attempt: 1, outcome: 'failure', error: errors[0], latencyMs: 100 },
      { candidateId: 'a', attempt: 2, outcome: 'failure', error: errors[1], latencyMs: 100 },
      { candidateId: 'a', attempt: 3, outcome: 'failure', error: errors[2], latencyMs: 100 },
      { candidateId: 'b', attempt: 1, outcome: 'failure', error: errors[3], latencyMs: 100 },
    ]);
    expect(orchestrator.health()).toEqual([
      {
        candidateId: 'a',
        successes: 0,
        failures: 3,
        lastOutcome: 'failure',
        lastLatencyMs: 100,
        lastAttemptAt: 1_700,
      },
      {
        candidateId: 'b',
        successes: 0,
        failures: 1,
        lastOutcome: 'failure',
        lastLatencyMs: 100,
        lastAttemptAt: 1_800,
      },
    ]);
  });

  it('fails over to the next priority and records health', async () => {
    const clock = new ManualClock();
    const orchestrator = new FailoverOrchestrator({ clock, maxRetriesPerCandidate: 0 });
    const result = await orchestrator.run(pair, async (candidate) => {
      if (candidate.id === 'a') throw overloaded();
      return 'ok';
    });
    expect(result.candidate.id).toBe('b');
    expect(result.attempts.map((attempt) => `${attempt.candidateId}:${attempt.outcome}`)).toEqual([
      'a:failure',
      'b:success',
    ]);
    expect(orchestrator.health()).toMatchObject([
      { candidateId: 'a', failures: 1, successes: 0 },
      { candidateId: 'b', failures: 0, successes: 1 },
    ]);
  });

  it('skips candidates whose breaker is open, and the failures it sees open them', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ clock, failureThreshold: 2, coolDownMs: 30_000 });
    const orchestrator = new FailoverOrchestrator({ clock, breaker, maxRetriesPerCandidate: 0 });
    const flaky = async (candidate: FailoverCandidate) => {
      if (candidate.id === 'a') throw overloaded();
      return candidate.id;
    };
    await orchestrator.run(pair, flaky);
    await orchestrator.run(pair, flaky);
    expect(await breaker.snapshot('a')).toMatchObject({ state: 'open' });

    let calledA = false;
    const result = await orchestrator.run(pair, async (candidate) => {
      calledA ||= candidate.id === 'a';
      return candidate.id;
    });
    expect(calledA).toBe(false);
    expect(result.attempts).toEqual([
      { candidateId: 'a', attempt: 1, outcome: 'skipped', latencyMs: 0 },
      { candidateId: 'b', attempt: 1, outcome: 'success', latencyMs: 0 },
    ]);
  });

  it('leaves the outcome of a success to the caller with settleLater: a probe stays half-open until settled', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ clock, failureThreshold: 1, coolDownMs: 1_000 });
    const orchestrator = new FailoverOrchestrator({ clock, breaker, maxRetriesPerCandidate: 0 });
    const only = [pair[0]!];
    await rejectionOf(orchestrator.run(only, async () => Promise.reject(overloaded())));
    await clock.advance(1_000);

    const probe = await orchestrator.run(only, async () => 'first chunk', { settleLater: true });
    expect(await breaker.snapshot('a')).toMatchObject({ state: 'half-open' });
    await probe.settle('failure');
    expect(await breaker.snapshot('a')).toMatchObject({ state: 'open' });

    await clock.advance(1_000);
    const next = await orchestrator.run(only, async () => 'first chunk', { settleLater: true });
    await next.settle('success');
    expect(await breaker.snapshot('a')).toMatchObject({ state: 'closed' });

    // Without settleLater the success is already counted; settle does nothing.
    const plain = await orchestrator.run(only, async () => 'answer');
    await plain.settle('failure');
    expect(await breaker.snapshot('a')).toMatchObject({ state: 'closed', failures: 0 });
  });

  it('says when to come back if every breaker is open', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ clock, failureThreshold: 1, coolDownMs: 30_000 });
    const orchestrator = new FailoverOrchestrator({ clock, breaker, maxRetriesPerCandidate: 0 });
    await rejectionOf(orchestrator.run(pair, async () => Promise.reject(overloaded())));
    const error = await rejectionOf(orchestrator.run(pair, async () => 'never called'));
    expect(error).toMatchObject({ reason: 'exhausted', retryAt: 30_000 });
    expect(error.attempts.map((attempt) => attempt.outcome)).toEqual(['skipped', 'skipped']);
  });

  it('stops at a non-retryable error without retrying or failing over', async () => {
    const orchestrator = new FailoverOrchestrator({
      clock: new ManualClock(),
      maxRetriesPerCandidate: 3,
    });
    let calls = 0;
    const error = await rejectionOf(
      orchestrator.run(pair, async () => {
        calls++;
        throw badRequest();
      }),
    );
    expect(calls).toBe(1);
    expect(error.reason).toBe('not-retryable');
  });

  it('fails over without retrying when shouldFailover says so but isRetryable does not', async () => {
    const clock = new ManualClock();
    const unauthorized = new UpstreamError({ kind: 'http', status: 401 });
    const orchestrator = new FailoverOrchestrator({
      clock,
      maxRetriesPerCandidate: 3,
      shouldFailover: () => true,
    });
    const result = await orchestrator.run(pair, async (candidate) => {
      if (candidate.id === 'a') throw unauthorized;
      return 'ok';
    });
    expect(result.attempts.map((attempt) => attempt.candidateId)).toEqual(['a', 'b']);
  });

  it('does not wait past the deadline: it moves straight on to the next candidate', async () => {
    const clock = new ManualClock();
    const orchestrator = new FailoverOrchestrator({ clock, maxRetriesPerCandidate: 2 });
    const calls: string[] = [];
    const result = await orchestrator.run(
      pair,
      async (candidate) => {
        calls.push(`${candidate.id}@${clock.now()}`);
        if (candidate.id === 'a')
          throw new UpstreamError({ kind: 'http', status: 429, retryAfterMs: 5_000 });
        return 'ok';
      },
      { deadline: 3_000 },
    );
    expect(result.candidate.id).toBe('b');
    expect(calls).toEqual(['a@0', 'b@0']);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('aborts the attempt in flight when the deadline passes', async () => {
    const clock = new ManualClock();
    const orchestrator = new FailoverOrchestrator({ clock });
    let abortReason: unknown;
    const running = orchestrator.run(
      pair,
      (_candidate, _attempt, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            abortReason = signal.reason;
            reject(signal.reason);
          });
        }),
      { deadline: 2_000 },
    );
    const failure = rejectionOf(running);
    await clock.advance(2_000);
    const error = await failure;
    expect(error.reason).toBe('deadline');
    expect(abortReason).toMatchObject({ name: 'TimeoutError' });
    expect(error.attempts).toEqual([
      { candidateId: 'a', attempt: 1, outcome: 'failure', error: abortReason, latencyMs: 2_000 },
    ]);
  });

  it("rejects with the caller's abort reason and frees a breaker probe", async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ clock, failureThreshold: 1, coolDownMs: 1_000 });
    const orchestrator = new FailoverOrchestrator({ clock, breaker, maxRetriesPerCandidate: 0 });
    await rejectionOf(orchestrator.run(pair.slice(0, 1), async () => Promise.reject(overloaded())));
    await clock.advance(1_000); // cool-down over: the next call is the probe

    const controller = new AbortController();
    const running = orchestrator.run(
      pair.slice(0, 1),
      () => clock.sleep(60_000, controller.signal),
      {
        signal: controller.signal,
      },
    );
    await clock.advance(10);
    controller.abort(new Error('client disconnected'));
    await expect(running).rejects.toThrow('client disconnected');
    // The cancelled probe does not count: the next caller may probe at once.
    expect(await breaker.acquire('a')).toMatchObject({ allowed: true, probe: true });

    let called = false;
    const alreadyAborted = orchestrator.run(pair, async () => (called = true), {
      signal: AbortSignal.abort(new Error('gone before we started')),
    });
    await expect(alreadyAborted).rejects.toThrow('gone before we started');
    expect(called).toBe(false);
  });
});
