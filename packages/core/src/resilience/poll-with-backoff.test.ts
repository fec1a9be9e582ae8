import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock';
import { isPollTimeoutError, pollWithBackoff } from './poll-with-backoff';
import type { PollResult } from './poll-with-backoff';

describe('pollWithBackoff', () => {
  it('waits 2000, 3000, 4500, … ×1.5, capped at 30 000, until done', async () => {
    const clock = new ManualClock();
    const polledAt: number[] = [];
    const result = pollWithBackoff(
      async (poll): Promise<PollResult<string>> => {
        polledAt.push(clock.now());
        return poll === 12 ? { done: true, value: 'ready' } : { done: false };
      },
      { clock },
    );
    await clock.advance(10 * 60_000);
    await expect(result).resolves.toBe('ready');

    const waits = polledAt.slice(1).map((at, index) => at - (polledAt[index] ?? 0));
    expect(waits).toEqual([
      2_000, 3_000, 4_500, 6_750, 10_125, 15_187.5, 22_781.25, 30_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('takes its own initial wait, factor and cap', async () => {
    const clock = new ManualClock();
    const polledAt: number[] = [];
    const result = pollWithBackoff(
      async (poll): Promise<PollResult<number>> => {
        polledAt.push(clock.now());
        return poll === 5 ? { done: true, value: poll } : { done: false };
      },
      { clock, initialMs: 100, factor: 2, maxMs: 500 },
    );
    await clock.advance(10_000);
    await expect(result).resolves.toBe(5);
    expect(polledAt).toEqual([0, 100, 300, 700, 1_200]);
  });

  it('makes a last poll at the timeout, then gives up', async () => {
    const clock = new ManualClock();
    const polledAt: number[] = [];
    const result = pollWithBackoff(
      async (): Promise<PollResult<never>> => {
        polledAt.push(clock.now());
        return { done: false };
      },
      { clock, timeoutMs: 6_000 },
    );
    const failure = result.catch((error: unknown) => error);
    await clock.advance(60_000);
    const error = await failure;
    expect(isPollTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeoutMs: 6_000, polls: 4 });
    expect(polledAt).toEqual([0, 2_000, 5_000, 6_000]);
  });

  it('stops when the signal aborts, and when fn throws', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const aborted = pollWithBackoff(async () => ({ done: false }), {
      clock,
      signal: controller.signal,
    });
    await clock.advance(1_000);
    controller.abort(new Error('cancelled'));
    await expect(aborted).rejects.toThrow('cancelled');

    await expect(
      pollWithBackoff(() => Promise.reject(new Error('job failed')), { clock }),
    ).rejects.toThrow('job failed');
  });
});
