/**
 * Video jobs the gateway started and follows until they end (see the
 * gateway's video job follower). Reads for a caller are scoped to its org and
 * project; the follower claims due jobs of every tenant under a lease, so one
 * process polls each job whatever the number of replicas, and then writes
 * each job by its org and id, only while it holds the lease.
 */
import type { ProviderName } from '../gateway/provider';
import type { OpenAIVideoError, VideoStatus } from '../gateway/openai-videos';

export interface VideoJob {
  /** Tollgate's id of the job, the one its client sees (`video_…`). */
  id: string;
  orgId: string;
  projectId: string;
  /** The request that started the job. */
  requestId: string;
  /** The id of the `prompt_call` event recorded when the job ends, chosen when it starts (recorded once). */
  eventId: string;
  modelRequested: string;
  /** The route that served it (the requested model's, or its fallback's): polls go to its deployment. */
  routeModel: string;
  deploymentId: string;
  provider: ProviderName;
  servedModel: string;
  /** The provider's id of the job (OpenAI's video id, Gemini's operation name). */
  upstreamId: string;
  /** Null when the project does not store content. */
  prompt: string | null;
  /** Seconds of video asked for, then as the provider reports. */
  seconds: number | null;
  size: string | null;
  status: VideoStatus;
  progress: number;
  error: OpenAIVideoError | null;
  simulated: boolean;
  /** The run, user, session and parent of the call that started the job (`CallTrace`). */
  trace: Record<string, unknown> | null;
  userId: string | null;
  /** The attempts of the call that started the job (`FailoverAttempt[]`). */
  attempts: unknown[];
  /** Polls of the provider so far. */
  pollCount: number;
  createdAt: Date;
  nextPollAt: Date;
  /** Past this, a job still running is given up as expired. */
  deadlineAt: Date;
  completedAt: Date | null;
  /** When its `prompt_call` event was recorded: the job is no longer followed. */
  recordedAt: Date | null;
  leaseOwner: string | null;
  leaseUntil: Date | null;
}

export type NewVideoJob = Omit<
  VideoJob,
  'pollCount' | 'completedAt' | 'recordedAt' | 'leaseOwner' | 'leaseUntil'
>;

/** What a poll changes. */
export type VideoJobUpdate = Partial<
  Pick<
    VideoJob,
    | 'status'
    | 'progress'
    | 'seconds'
    | 'size'
    | 'error'
    | 'pollCount'
    | 'nextPollAt'
    | 'completedAt'
    | 'recordedAt'
  >
>;

export interface VideoJobStore {
  createVideoJob(job: NewVideoJob): Promise<VideoJob>;
  /** A job of this org and project; undefined for any other tenant's. */
  getVideoJob(
    scope: { orgId: string; projectId: string },
    id: string,
  ): Promise<VideoJob | undefined>;
  /**
   * Leases up to `limit` unrecorded jobs whose next poll is due at `now` and
   * whose lease (if any) has run out, to `owner` until `now + leaseMs`. A job
   * leased by another process is not returned until its lease runs out.
   */
  claimVideoJobs(owner: string, now: Date, leaseMs: number, limit: number): Promise<VideoJob[]>;
  /**
   * Writes a poll's outcome and releases the lease; false (nothing written)
   * when `owner` no longer holds the job's lease.
   */
  updateVideoJob(
    job: { orgId: string; id: string },
    owner: string,
    update: VideoJobUpdate,
  ): Promise<boolean>;
  /** The earliest next poll of an unrecorded job, to wake the follower then. */
  nextVideoPollAt(): Promise<Date | undefined>;
}
