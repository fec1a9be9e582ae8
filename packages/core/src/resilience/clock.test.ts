import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from './clock';

describe('ManualClock', () => {
  it('stands still until advanced', async () => {
    const clock = new ManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    await clock.advance(250);
    expect(clock.now()).toBe(1_250);
  });

  it('wakes sleeps in order of wake time, at their wake time', async () => {
    const clock = new ManualClock();
    const woken: string[] = [];
    const sleep = (name: string, ms: number) =>
      clock.sleep(ms).then(() => woken.push(`${name}@${clock.now()}`));
    void sleep('late', 300);
    void sleep('early', 100);
    void sleep('tie-first', 200);
    void sleep('tie-second', 200);

    await clock.advance(199);
    expect(woken).toEqual(['early@100']);
    await clock.advance(1_000);
    expect(woken).toEqual(['early@100', 'tie-first@200', 'tie-second@200', 'late@300']);
    expect(clock.now()).toBe(1_199);
  });

  it('also wakes sleeps started while advancing, if they fall inside the span', async () => {
    const clock = new ManualClock();
    const times: number[] = [];
    void (async () => {
      for (let index = 0; index < 3; index++) {
        await clock.sleep(100);
        times.push(clock.now());
      }
    })();
    await clock.advance(250);
    expect(times).toEqual([100, 200]);
    expect(clock.pendingSleeps).toBe(1);
  });

  it('rejects a sleep with the abort reason and forgets it', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(1_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pendingSleeps).toBe(0);
    await expect(clock.sleep(10, controller.signal)).rejects.toThrow('stop');
  });
});

describe('systemClock', () => {
  it('rejects at once when the signal has already aborted (no timer needed)', async () => {
    await expect(systemClock.sleep(60_000, AbortSignal.abort(new Error('gone')))).rejects.toThrow(
      'gone',
    );
  });
});
