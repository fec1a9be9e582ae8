import {
  DEFAULT_POLL_BACKOFF,
  pollWithBackoff,
  systemClock,
  type Clock,
  type PollOptions,
  type PollResult,
} from '@tollgate/core';
import type { Logger } from '../logger/create-logger';

/** What `waitForVideo` needs of a video: OpenAI's `video` object has it. */
export interface VideoStatusLike {
  id: string;
  status: string;
  progress?: number;
}

/**
 * Any client with OpenAI's `videos.retrieve`: the official `openai` client
 * pointed at Tollgate's gateway (`baseURL: 'http://localhost:4000/v1'`), or at OpenAI.
 */
export interface VideoClient<Video extends VideoStatusLike> {
  videos: { retrieve(id: string): PromiseLike<Video> };
}

export interface WaitForVideoOptions extends Pick<
  PollOptions,
  'initialMs' | 'factor' | 'maxMs' | 'signal'
> {
  /** Give up (a `PollTimeoutError`) this long after the first poll; default 1 hour. */
  timeoutMs?: number;
  clock?: Clock;
  /** Where the polls (debug) and the end, with the poll count and total wait (info), are logged. */
  logger?: Pick<Logger, 'debug' | 'info'>;
}

/** What `waitForVideo` resolves with: the ended video, and how long waiting for it took. */
export interface VideoWait<Video> {
  video: Video;
  polls: number;
  /** The sum of the waits between polls, in ms. */
  totalWaitMs: number;
}

const ENDED = new Set(['completed', 'failed']);

/**
 * Polls a video job until it has ended (`completed` or `failed`), with
 * Tollgate's backoff: 2 s, then ×1.5 each time, capped at 30 s, for at most
 * an hour unless told otherwise. Resolves with the ended video (a failed one
 * too: check `video.status`), the number of polls and the total wait.
 */
export async function waitForVideo<Video extends VideoStatusLike>(
  client: VideoClient<Video>,
  id: string,
  options: WaitForVideoOptions = {},
): Promise<VideoWait<Video>> {
  const { logger, clock = systemClock, timeoutMs = 3_600_000, ...backoff } = options;
  let totalWaitMs = 0;
  let polls = 0;
  const video = await pollWithBackoff<Video>(
    async (poll): Promise<PollResult<Video>> => {
      polls = poll;
      const current = await client.videos.retrieve(id);
      return ENDED.has(current.status) ? { done: true, value: current } : { done: false };
    },
    {
      initialMs: DEFAULT_POLL_BACKOFF.initialMs,
      factor: DEFAULT_POLL_BACKOFF.factor,
      maxMs: DEFAULT_POLL_BACKOFF.maxMs,
      ...backoff,
      timeoutMs,
      clock,
      onWait: (wait) => {
        totalWaitMs = wait.totalWaitMs;
        logger?.debug('video not ready; waiting', {
          videoId: id,
          polls: wait.polls,
          waitMs: wait.waitMs,
          totalWaitMs: wait.totalWaitMs,
        });
      },
    },
  );
  logger?.info(`video ${video.status} after ${polls} polls`, {
    videoId: id,
    status: video.status,
    polls,
    totalWaitMs,
  });
  return { video, polls, totalWaitMs };
}
