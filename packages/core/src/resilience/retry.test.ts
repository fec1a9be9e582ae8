import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock';
import { createSeededRandom } from './random';
import { retryDelay, retryWithBackoff } from './retry';
import { UpstreamError } from './upstream-error';

const overloaded = (retryAfterMs?: number) =>
  new UpstreamError({ kind: 'http', status: 503, retryAfterMs });
const badRequest = () => new UpstreamError({ kind: 'http', status: 400 });

describe('retryDelay', () => {
  it('stays inside the full-jitter bounds [0, min(maxMs, baseMs·2^(attempt−1))) and uses all of them', () => {
    const random = createSeededRandom(7);
    for (let attempt = 1; attempt <= 8; attempt++) {
      const ceiling = Math.min(2_000, 100 * 2 ** (attempt - 1));
      const delays = Array.from({ length: 1_000 }, () =>
        retryDelay({ attempt, baseMs: 100, maxMs: 2_000, random }),
      );
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...delays)).toBeLessThan(ceiling);
      expect(Math.min(...delays)).toBeLessThan(ceiling * 0.05);
      expect(Math.max(...delays)).toBeGreaterThan(ceiling * 0.95);
    }
  });

  it('honours Retry-After when it asks for longer than the jitter', () => {
    expect(
      retryDelay({
        attempt: 1,
        baseMs: 1_000,
        maxMs: 10_000,
        random: () => 0,
        retryAfterMs: 4_000,
      }),
    ).toBe(4_000);
    expect(
      retryDelay({
        attempt: 1,
        baseMs: 1_000,
        maxMs: 10_000,
        random: () => 0.9,
        retryAfterMs: 100,
      }),
    ).toBe(900);
  });

  it('caps Retry-After at maxMs, or at maxRetryAfterMs when given', () => {
    const base = {
      attempt: 1,
      baseMs: 1_000,
      maxMs: 10_000,
      random: () => 0,
      retryAfterMs: 120_000,
    };
    expect(retryDelay(base)).toBe(10_000);
    expect(retryDelay({ ...base, maxRetryAfterMs: 30_000 })).toBe(30_000);
  });
});

describe('retryWithBackoff', () => {
  it('retries retryable errors with the backoff delays until one succeeds', async () => {
    const clock = new ManualClock();
    const calledAt: number[] = [];
    const result = retryWithBackoff(
      async (attempt) => {
        calledAt.push(clock.now());
        if (attempt < 3) throw overloaded();
        return 'ok';
      },
      { maxRetries: 3, baseMs: 1_000, maxMs: 10_000, clock, random: () => 0.5 },
    );
    await clock.advance(10_000);
    await expect(result).resolves.toBe('ok');
    // 0.5 × 1000, then 0.5 × 2000
    expect(calledAt).toEqual([0, 500, 1_500]);
  });

  it('waits what Retry-After asks for', async () => {
    const clock = new ManualClock();
    const calledAt: number[] = [];
    const result = retryWithBackoff(
      async (attempt) => {
        calledAt.push(clock.now());
        if (attempt === 1) throw overloaded(7_000);
        return 'ok';
      },
      { baseMs: 100, maxMs: 10_000, clock, random: () => 0.5 },
    );
    await clock.advance(60_000);
    await expect(result).resolves.toBe('ok');
    expect(calledAt).toEqual([0, 7_000]);
  });

  it('throws a non-retryable error at once', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const error = badRequest();
    const result = retryWithBackoff(
      async () => {
        calls++;
        throw error;
      },
      { maxRetries: 5, clock },
    );
    await expect(result).rejects.toBe(error);
    expect(calls).toBe(1);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('respects a custom isRetryable', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const result = retryWithBackoff(
      async () => {
        calls++;
        throw new Error('plain');
      },
      {
        maxRetries: 2,
        clock,
        isRetryable: (error) => error instanceof Error && error.message === 'plain',
      },
    );
    const settled = expect(result).rejects.toThrow('plain');
    await clock.advance(60_000);
    await settled;
    expect(calls).toBe(3);
  });

  it('gives up after maxRetries with the last error', async () => {
    const clock = new ManualClock();
    const errors = [overloaded(), overloaded(), overloaded()];
    let calls = 0;
    const retries: number[] = [];
    const result = retryWithBackoff(
      async () => {
        throw errors[calls++];
      },
      { maxRetries: 2, clock, onRetry: ({ attempt }) => retries.push(attempt) },
    );
    const settled = expect(result).rejects.toBe(errors[2]);
    await clock.advance(60_000);
    await settled;
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('never sleeps past the deadline: it gives up instead', async () => {
    const clock = new ManualClock(1_000);
    let calls = 0;
    const error = overloaded(5_000);
    const result = retryWithBackoff(
      async () => {
        calls++;
        throw error;
      },
      { maxRetries: 5, clock, deadline: 1_000 + 3_000 },
    );
    await expect(result).rejects.toBe(error);
    expect(calls).toBe(1);
    expect(clock.pendingSleeps).toBe(0);
    expect(clock.now()).toBe(1_000);
  });

  it('stops waiting when the signal aborts', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    let calls = 0;
    const result = retryWithBackoff(
      async () => {
        calls++;
        throw overloaded(5_000);
      },
      { clock, signal: controller.signal },
    );
    await clock.advance(1_000);
    controller.abort(new Error('client went away'));
    await expect(result).rejects.toThrow('client went away');
    expect(calls).toBe(1);
  });
});
