import { describe, expect, it } from 'vitest';
import { pollSchedule, pollWaitMs } from './backoff-schedule';
import { ManualClock } from './clock';
import { pollWithBackoff, type PollWait } from './poll-with-backoff';

describe('the poll backoff schedule', () => {
  it('is 2, 3, 4.5, 6.75, 10.1, 15.2, 22.8, 30, 30 … seconds by default', () => {
    expect(pollSchedule(10).map((ms) => Math.round(ms / 100) / 10)).toEqual([
      2, 3, 4.5, 6.8, 10.1, 15.2, 22.8, 30, 30, 30,
    ]);
    expect(pollWaitMs(4)).toBe(6_750);
    expect(pollWaitMs(1_000)).toBe(30_000);
  });

  it('takes its own first wait, factor and cap', () => {
    expect(pollSchedule(5, { initialMs: 50, factor: 2, maxMs: 300 })).toEqual([
      50, 100, 200, 300, 300,
    ]);
    expect(pollSchedule(2, { initialMs: 500, maxMs: 100 })).toEqual([100, 100]);
  });

  it('refuses a poll number below 1', () => {
    expect(() => pollWaitMs(0)).toThrow(RangeError);
  });

  it('is the schedule pollWithBackoff sleeps by, and tells each wait and the total', async () => {
    const clock = new ManualClock();
    const waits: PollWait[] = [];
    const done = pollWithBackoff(
      async (poll) => (poll === 6 ? { done: true, value: poll } : { done: false }),
      { clock, onWait: (wait) => waits.push(wait) },
    );
    await clock.advance(120_000);
    await expect(done).resolves.toBe(6);
    expect(waits.map((wait) => wait.waitMs)).toEqual(pollSchedule(5));
    expect(waits.at(-1)).toEqual({ polls: 5, waitMs: 10_125, totalWaitMs: 26_375 });
    expect(clock.now()).toBeGreaterThanOrEqual(26_375);
  });
});
