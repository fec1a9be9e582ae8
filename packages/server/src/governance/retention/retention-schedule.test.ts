import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfiguration } from '../../config';
import type { RetentionJob } from './retention-job';
import { nextDailyRun, scheduleRetention } from './retention-schedule';

const at = (iso: string) => Date.parse(iso);

describe('nextDailyRun', () => {
  it('is today at the time when it is still ahead, else tomorrow (UTC)', () => {
    const twoAm = { hour: 2, minute: 0 };
    expect(nextDailyRun(at('2026-03-10T01:59:00Z'), twoAm)).toBe(at('2026-03-10T02:00:00Z'));
    expect(nextDailyRun(at('2026-03-10T02:00:00Z'), twoAm)).toBe(at('2026-03-11T02:00:00Z'));
    expect(nextDailyRun(at('2026-12-31T23:30:00Z'), twoAm)).toBe(at('2027-01-01T02:00:00Z'));
    expect(nextDailyRun(at('2026-03-10T10:00:00Z'), { hour: 23, minute: 45 })).toBe(
      at('2026-03-10T23:45:00Z'),
    );
  });
});

describe('scheduleRetention', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the job at the time every day until stopped', async () => {
    vi.useFakeTimers({ now: at('2026-03-10T01:00:00Z') });
    const runs: number[] = [];
    const job = {
      run: async () => {
        runs.push(Date.now());
        return { ran: false, reason: 'locked' } as const;
      },
    } as unknown as RetentionJob;
    const stop = scheduleRetention(job, { hour: 2, minute: 0 }, () => undefined);
    await vi.advanceTimersByTimeAsync(59 * 60_000);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs).toEqual([at('2026-03-10T02:00:00Z')]);
    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(runs).toEqual([at('2026-03-10T02:00:00Z'), at('2026-03-11T02:00:00Z')]);
    stop();
    await vi.advanceTimersByTimeAsync(48 * 3_600_000);
    expect(runs).toHaveLength(2);
  });

  it('keeps the schedule after a failed run, reporting the error', async () => {
    vi.useFakeTimers({ now: at('2026-03-10T01:59:00Z') });
    const errors: unknown[] = [];
    let calls = 0;
    const job = {
      run: async () => {
        calls += 1;
        throw new Error('event store down');
      },
    } as unknown as RetentionJob;
    const stop = scheduleRetention(job, { hour: 2, minute: 0 }, (error) => errors.push(error));
    await vi.advanceTimersByTimeAsync(60_000 + 24 * 3_600_000);
    stop();
    expect(calls).toBe(2);
    expect(errors).toHaveLength(2);
  });
});

describe('TOLLGATE_RETENTION_TIME', () => {
  it('defaults to 02:00, takes HH:MM or off, and names itself when bad', () => {
    expect(loadConfiguration({}).retentionTime).toEqual({ hour: 2, minute: 0 });
    expect(loadConfiguration({ TOLLGATE_RETENTION_TIME: '23:15' }).retentionTime).toEqual({
      hour: 23,
      minute: 15,
    });
    expect(loadConfiguration({ TOLLGATE_RETENTION_TIME: 'off' }).retentionTime).toBeUndefined();
    expect(() => loadConfiguration({ TOLLGATE_RETENTION_TIME: '24:00' })).toThrow(
      /TOLLGATE_RETENTION_TIME="24:00": must be HH:MM/,
    );
  });
});
