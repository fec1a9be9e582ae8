import { describe, expect, it } from 'vitest';
import { ManualClock, PollTimeoutError, pollSchedule, waitForVideo } from '../src';

/** A client whose `videos.retrieve` answers each poll with the next status of a script. */
function scriptedClient(statuses: string[], clock: ManualClock) {
  const polledAt: number[] = [];
  return {
    polledAt,
    videos: {
      async retrieve(id: string) {
        polledAt.push(clock.now());
        const status = statuses[Math.min(polledAt.length, statuses.length) - 1]!;
        return { id, object: 'video', status, progress: status === 'completed' ? 100 : 10 };
      },
    },
  };
}

describe('waitForVideo', () => {
  it("polls on Tollgate's schedule (2 s, ×1.5, capped at 30 s) and logs the polls and total wait", async () => {
    const clock = new ManualClock();
    const statuses = [...Array<string>(9).fill('in_progress'), 'completed'];
    const client = scriptedClient(statuses, clock);
    const logged: [string, Record<string, unknown> | undefined][] = [];
    const logger = {
      debug: () => undefined,
      info: (message: string, fields?: unknown) =>
        void logged.push([message, fields as Record<string, unknown>]),
    };
    const waiting = waitForVideo(client, 'video_1', { clock, logger });
    await clock.advance(10 * 60_000);
    const { video, polls, totalWaitMs } = await waiting;

    expect(video).toMatchObject({ id: 'video_1', status: 'completed' });
    const waits = client.polledAt.slice(1).map((at, index) => at - client.polledAt[index]!);
    expect(waits).toEqual(pollSchedule(9));
    expect(waits.slice(0, 4)).toEqual([2_000, 3_000, 4_500, 6_750]);
    expect(waits.slice(-2)).toEqual([30_000, 30_000]);
    expect(polls).toBe(10);
    expect(totalWaitMs).toBe(pollSchedule(9).reduce((sum, wait) => sum + wait, 0));
    expect(logged).toEqual([
      [
        'video completed after 10 polls',
        { videoId: 'video_1', status: 'completed', polls: 10, totalWaitMs },
      ],
    ]);
  });

  it('resolves with a failed video too, and gives up at its timeout', async () => {
    const clock = new ManualClock();
    const failed = waitForVideo(scriptedClient(['queued', 'failed'], clock), 'video_2', { clock });
    await clock.advance(2_000);
    await expect(failed).resolves.toMatchObject({ video: { status: 'failed' }, polls: 2 });

    const stuck = waitForVideo(scriptedClient(['in_progress'], clock), 'video_3', {
      clock,
      timeoutMs: 10_000,
    });
    const outcome = stuck.catch((error: unknown) => error);
    await clock.advance(60_000);
    expect(await outcome).toBeInstanceOf(PollTimeoutError);
  });
});
