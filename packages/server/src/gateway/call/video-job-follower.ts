import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  isUpstreamError,
  pollWaitMs,
  startTimer,
  type BackoffScheduleOptions,
  type Clock,
  type EventStatus,
  type FailoverAttempt,
  type MetaStore,
  type VideoJob,
  type VideoJobState,
  type VideoJobUpdate,
} from '@tollgate/core';
import type { FastifyBaseLogger } from 'fastify';
import { retentionDaysOf } from '../../auth/auth-plugin';
import type { PricingService } from '../../pricing/pricing-service';
import { costOfCall } from './call-cost';
import type { GatewayRouter } from './gateway-router';
import {
  recordPromptCall,
  type CallRecorder,
  type CallTenant,
  type CallTrace,
} from './record-prompt-call';
import { isSealed, type ContentKeyring } from '../../secrets/content-keys';
import type { RouteTable } from '../routing/route-table';
import { deploymentOf, type VideoJobSettings } from './video-call';

export interface VideoFollowerServices {
  meta: Pick<
    MetaStore,
    'claimVideoJobs' | 'updateVideoJob' | 'nextVideoPollAt' | 'getOrganization' | 'getProject'
  >;
  router: Pick<GatewayRouter, 'providerFor'>;
  routeTable: Pick<RouteTable, 'resolve'>;
  pricing: Pick<PricingService, 'forOrganization'>;
  /** The org's data key, for a project that encrypts stored content. */
  contentKeys: Pick<ContentKeyring, 'keyFor'>;
  recorder: CallRecorder;
  clock: Clock;
  settings: VideoJobSettings;
  logger: FastifyBaseLogger;
  /** This process's name on the leases it takes; default: host, pid and a random part. */
  owner?: string;
}

/** Jobs claimed at once; the rest wait for the next pass (a moment later). */
const CLAIM_LIMIT = 20;

/**
 * Follows every video job until it ends: polls each when it is due, with the
 * backoff schedule (`pollWaitMs`), and records its one `prompt_call` event
 * when it completes, fails or passes its deadline. The jobs live in the meta
 * store, so a restarted process (or another replica) resumes them; a job is
 * polled by the process that holds its lease (`claimVideoJobs`).
 */
export class VideoJobFollower {
  readonly owner: string;
  private cancelTimer: (() => void) | undefined;
  private timerAt = Infinity;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(private readonly services: VideoFollowerServices) {
    this.owner = services.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  }

  /** Starts following: a pass now (jobs left by a restart), then whenever one is due. */
  start(): void {
    this.stopped = false;
    this.wake(this.services.clock.now());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = Infinity;
    await this.running;
  }

  /** Runs a pass at `at` (epoch ms) unless one is already set for earlier. */
  wake(at: number): void {
    if (this.stopped || at >= this.timerAt) return;
    this.cancelTimer?.();
    this.timerAt = at;
    const delay = Math.max(0, at - this.services.clock.now());
    this.cancelTimer = startTimer(this.services.clock, delay, () => {
      this.cancelTimer = undefined;
      this.timerAt = Infinity;
      void this.runPass();
    });
  }

  /** One pass: every due job this process can claim is polled; then the timer is set again. */
  runPass(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.pollDueJobs();
        } while (this.again && !this.stopped);
      } catch (error) {
        this.services.logger.error({ err: error }, 'video jobs: a pass failed');
      } finally {
        this.running = undefined;
      }
      await this.scheduleNext();
    })();
    return this.running;
  }

  private async pollDueJobs(): Promise<void> {
    const { meta, clock, settings } = this.services;
    for (;;) {
      const jobs = await meta.claimVideoJobs(
        this.owner,
        new Date(clock.now()),
        settings.leaseMs,
        CLAIM_LIMIT,
      );
      for (const job of jobs) await this.pollJob(job);
      if (jobs.length < CLAIM_LIMIT || this.stopped) return;
    }
  }

  private async scheduleNext(): Promise<void> {
    if (this.stopped) return;
    const { meta, clock, settings, logger } = this.services;
    const scanAt = clock.now() + settings.scanMs;
    let next = scanAt;
    try {
      const due = await meta.nextVideoPollAt();
      if (due) next = Math.min(next, due.getTime());
    } catch (error) {
      logger.warn({ err: error }, 'video jobs: could not read the next poll time');
    }
    this.wake(next);
  }

  /** Polls one claimed job and stores (and, if it ended, records) what it found. */
  private async pollJob(job: VideoJob): Promise<void> {
    const { clock, settings, logger } = this.services;
    const now = clock.now();
    const polls = job.pollCount + 1;
    let state: Partial<VideoJobState> & { expired?: boolean };
    if (now >= job.deadlineAt.getTime()) {
      state = {
        status: 'failed',
        expired: true,
        error: { code: 'expired', message: `not done within ${settings.deadlineMs} ms` },
      };
    } else {
      try {
        state = await this.poll(job);
      } catch (error) {
        if (isUpstreamError(error) && !error.isRetryable) {
          state = {
            status: 'failed',
            error: { code: `upstream_${error.status ?? 'error'}`, message: error.message },
          };
        } else {
          // A poll that failed for a passing reason: the job is polled again on schedule.
          logger.warn({ err: error, videoId: job.id, polls }, 'video job: poll failed');
          state = {};
        }
      }
    }
    const ended = state.status === 'completed' || state.status === 'failed';
    const update: VideoJobUpdate = {
      pollCount: polls,
      ...(state.status ? { status: state.status } : {}),
      ...(state.progress !== undefined ? { progress: state.progress } : {}),
      ...(state.seconds !== undefined ? { seconds: state.seconds } : {}),
      ...(state.size !== undefined ? { size: state.size } : {}),
      ...(state.error ? { error: state.error } : {}),
    };
    // The start was followed by the first wait; after poll n comes wait n + 1.
    const waitMs = Math.round(pollWaitMs(polls + 1, this.backoff()));
    if (ended) {
      const finished: VideoJob = { ...job, ...update, completedAt: new Date(now) };
      await this.record(finished, state.expired === true, now);
      update.completedAt = new Date(now);
      update.recordedAt = new Date(now);
    } else {
      update.nextPollAt = new Date(now + waitMs);
    }
    const kept = await this.services.meta.updateVideoJob(job, this.owner, update);
    logger.info(
      {
        videoId: job.id,
        provider: job.provider,
        status: update.status ?? job.status,
        polls,
        ...(ended ? { totalMs: now - job.createdAt.getTime() } : { nextPollInMs: waitMs }),
      },
      ended ? `video job ${update.status ?? job.status} after ${polls} polls` : 'video job polled',
    );
    if (!kept) logger.warn({ videoId: job.id }, 'video job: lease lost before the poll was saved');
  }

  private async poll(job: VideoJob): Promise<VideoJobState> {
    const deployment = await deploymentOf(this.services.routeTable, job);
    const provider = this.services.router.providerFor(deployment);
    if (!provider.getVideo) throw new Error(`${provider.name} has no video jobs to poll`);
    return provider.getVideo(job.upstreamId, {
      deployment,
      signal: AbortSignal.timeout(deployment.timeoutMs),
      requestId: job.requestId,
    });
  }

  /**
   * The job's one `prompt_call` event, with the event id chosen when it
   * started: a job recorded again (a crash before its end was saved) is
   * stored once. A completed job is priced per second of video; a failed one
   * costs nothing (providers bill what they deliver); an expired one is
   * unpriced, since the provider may still finish and bill it.
   */
  private async record(job: VideoJob, expired: boolean, now: number): Promise<void> {
    const tenant = await this.tenantOf(job);
    const completed = job.status === 'completed';
    const seconds = completed ? (job.seconds ?? 0) : 0;
    const cost = completed
      ? costOfCall(
          job.servedModel,
          { inputTokens: 0, outputTokens: 0, videoSeconds: seconds },
          tenant,
        )
      : { costNanos: 0, priced: !expired };
    const status: EventStatus = completed ? 'success' : expired ? 'timeout' : 'error';
    recordPromptCall(this.services.recorder, tenant, {
      requestId: job.requestId,
      eventId: job.eventId,
      operation: 'video',
      status,
      modelRequested: job.modelRequested,
      provider: job.provider,
      servedModel: job.servedModel,
      inputTokens: 0,
      outputTokens: 0,
      cachedTokens: 0,
      videoDurationSeconds: completed ? seconds : undefined,
      costNanos: cost.costNanos,
      unpriced: !cost.priced,
      latencyMs: now - job.createdAt.getTime(),
      attempts: job.attempts as FailoverAttempt[],
      cacheHit: false,
      simulated: job.simulated,
      // Kept sealed in the meta store while the job ran; sealed again in the event.
      input:
        job.prompt && tenant.contentKey && isSealed(job.prompt)
          ? tenant.contentKey.open(job.prompt)
          : (job.prompt ?? undefined),
      output: { id: job.id, status: job.status, seconds: job.seconds, size: job.size },
      errorMessage: job.error ? `${job.error.code}: ${job.error.message}` : undefined,
      userId: job.userId ?? undefined,
      trace: (job.trace ?? undefined) as CallTrace | undefined,
      metadata: { video_id: job.id, upstream_id: job.upstreamId, polls: job.pollCount },
    });
  }

  /** The job's tenant as its call's was: its org's prices and retention, its project's content settings. */
  private async tenantOf(job: VideoJob): Promise<CallTenant> {
    const { meta, pricing } = this.services;
    const [organization, project] = await Promise.all([
      meta.getOrganization(job.orgId),
      meta.getProject(job.projectId),
    ]);
    return {
      orgId: job.orgId,
      projectId: job.projectId,
      retentionDays: organization ? retentionDaysOf(organization) : 90,
      priceOverrides: pricing.forOrganization(organization?.priceOverrides ?? null),
      contentStorage: project?.contentStorage ?? true,
      piiRedaction: project?.piiRedaction ?? false,
      contentKey: project?.contentEncryption
        ? await this.services.contentKeys.keyFor(job.orgId)
        : undefined,
    };
  }

  private backoff(): BackoffScheduleOptions {
    const { pollInitialMs, pollFactor, pollMaxMs } = this.services.settings;
    return { initialMs: pollInitialMs, factor: pollFactor, maxMs: pollMaxMs };
  }
}
