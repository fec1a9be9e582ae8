import type { RetentionJob } from './retention-job';

/** `HH:MM` in UTC, e.g. `02:00`. */
export interface DailyTime {
  hour: number;
  minute: number;
}

/** The next time of day `at` (UTC) strictly after `now`. */
export function nextDailyRun(now: number, at: DailyTime): number {
  const date = new Date(now);
  const today = Date.UTC(
    date.getUTCFullYear(),
    date.getUTCMonth(),
    date.getUTCDate(),
    at.hour,
    at.minute,
  );
  return today > now ? today : today + 86_400_000;
}

/**
 * Runs the retention job every day at `at` (UTC) in this process; the job's
 * own lock makes sure only one process of several actually runs it. Returns
 * the function that stops the schedule.
 */
export function scheduleRetention(
  job: RetentionJob,
  at: DailyTime,
  onError: (error: unknown) => void,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = () => {
    if (stopped) return;
    timer = setTimeout(
      () => {
        job.run().catch(onError).finally(arm);
      },
      nextDailyRun(Date.now(), at) - Date.now(),
    );
    timer.unref();
  };
  arm();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
