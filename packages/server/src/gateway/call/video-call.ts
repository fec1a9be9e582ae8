import { createEventId, InvalidRequestError, pollWaitMs } from '@tollgate/core';
import type {
  Clock,
  MetaStore,
  OpenAIVideo,
  OpenAIVideoRequest,
  VideoContent,
  VideoJob,
} from '@tollgate/core';
import { ApiError } from '../../http/errors';
import { createId } from '../../stores/meta/ids';
import { attemptsOf, type CallInfo, type ChatCall, type ChatCallContext } from './chat-call';
import type { GatewayRouter } from './gateway-router';
import { callsMade, recordPromptCall, type CallRecorder } from './record-prompt-call';
import type { RouteTable } from '../routing/route-table';

/** How the gateway follows its video jobs (`TOLLGATE_VIDEO_*`). */
export interface VideoJobSettings {
  /** The backoff between polls of a job: first wait, ×1.5 each time, capped. */
  pollInitialMs: number;
  pollMaxMs: number;
  pollFactor: number;
  /** A job not done this long after it started is given up as expired. */
  deadlineMs: number;
  /** How often a replica looks for due jobs it was not told of (another replica's, after a restart). */
  scanMs: number;
  /** How long a claimed job is one process's to poll. */
  leaseMs: number;
}

export interface VideoServices {
  chat: ChatCall;
  router: GatewayRouter;
  routeTable: RouteTable;
  meta: MetaStore;
  recorder: CallRecorder;
  clock: Clock;
  settings: VideoJobSettings;
  /** Told of each new job's first poll time (the follower's timer). */
  onJobStarted(nextPollAt: number): void;
}

export interface VideoAnswer {
  video: OpenAIVideo;
  info: CallInfo;
}

/**
 * Video generation through the gateway: `POST /v1/videos` starts a job on a
 * routed deployment (failover and breakers as for any call) and stores it in
 * the meta store; the follower polls it from then on. Reads answer from the
 * stored job, which the follower keeps up to date, so clients polling the
 * gateway never multiply the polls a provider sees.
 */
export class VideoCalls {
  constructor(private readonly services: VideoServices) {}

  async start(request: OpenAIVideoRequest, context: ChatCallContext): Promise<VideoAnswer> {
    const { services } = this;
    const startedAt = services.clock.now();
    const route = await services.chat.resolve(context.tenant, request.model, context.knownRoute);
    let routed;
    try {
      routed = await services.router.run(
        context.tenant.orgId,
        route,
        context.signal,
        (provider, deployment, signal) => {
          if (!provider.createVideo) {
            throw new InvalidRequestError(`${provider.name} has no video generation API`, {
              param: 'model',
              code: 'unsupported_operation',
            });
          }
          return provider.createVideo(
            { ...request, model: deployment.model },
            { deployment, signal, requestId: context.requestId },
          );
        },
      );
    } catch (error) {
      // A job that never started is recorded now, as the failed call it was.
      recordPromptCall(services.recorder, context.tenant, {
        requestId: context.requestId,
        operation: 'video',
        status: 'error',
        modelRequested: request.model,
        inputTokens: 0,
        outputTokens: 0,
        cachedTokens: 0,
        costNanos: 0,
        latencyMs: services.clock.now() - startedAt,
        attempts: attemptsOf(error),
        cacheHit: false,
        simulated: route.deployments.every((deployment) => deployment.provider === 'simulated'),
        input: request.prompt,
        userId: request.user,
        trace: context.trace,
        errorMessage: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
    const state = routed.value;
    const now = services.clock.now();
    const nextPollAt = now + pollWaitMs(1, this.backoff());
    const job = await services.meta.createVideoJob({
      id: createId('video'),
      orgId: context.tenant.orgId,
      projectId: context.tenant.projectId,
      requestId: context.requestId,
      eventId: createEventId(startedAt),
      modelRequested: request.model,
      routeModel: routed.route.model,
      deploymentId: routed.deployment.id,
      provider: routed.deployment.provider,
      servedModel: routed.deployment.model,
      upstreamId: state.upstreamId,
      // The prompt waits in the meta store until the job ends: sealed there too when the project encrypts.
      prompt: !context.tenant.contentStorage
        ? null
        : context.tenant.contentKey && request.prompt
          ? context.tenant.contentKey.seal(request.prompt)
          : request.prompt,
      seconds: state.seconds ?? request.seconds ?? null,
      size: state.size ?? request.size ?? null,
      status: state.status,
      progress: state.progress ?? 0,
      error: state.error ?? null,
      simulated: state.simulated ?? false,
      trace: context.trace ? { ...context.trace } : null,
      userId: request.user ?? null,
      attempts: routed.attempts,
      createdAt: new Date(startedAt),
      nextPollAt: new Date(nextPollAt),
      deadlineAt: new Date(startedAt + services.settings.deadlineMs),
    });
    services.onJobStarted(nextPollAt);
    return {
      video: toOpenAIVideo(job),
      info: {
        provider: routed.deployment.provider,
        servedModel: routed.deployment.model,
        attempts: callsMade(routed.attempts).length,
        cache: 'bypass',
        simulated: job.simulated,
      },
    };
  }

  /** The job as last polled; a 404 for another tenant's job, as for one that never was. */
  async get(scope: { orgId: string; projectId: string }, id: string): Promise<VideoJob> {
    const job = await this.services.meta.getVideoJob(scope, id);
    if (!job) throw new ApiError('not_found', `no video '${id}' in this project`);
    return job;
  }

  /** The finished video's bytes, streamed from the provider; a 409 until the job completed. */
  async content(
    scope: { orgId: string; projectId: string },
    id: string,
    signal: AbortSignal,
  ): Promise<{ job: VideoJob; content: VideoContent }> {
    const job = await this.get(scope, id);
    if (job.status !== 'completed') {
      throw new ApiError(
        'conflict',
        `video '${id}' is ${job.status}: its content is there once it is completed`,
      );
    }
    const deployment = await deploymentOf(this.services.routeTable, job);
    const provider = this.services.router.providerFor(deployment);
    if (!provider.downloadVideo) {
      throw new ApiError('conflict', `${provider.name} has no video content to download`);
    }
    const content = await provider.downloadVideo(job.upstreamId, {
      deployment,
      signal,
      requestId: job.requestId,
    });
    return { job, content };
  }

  backoff() {
    const { pollInitialMs, pollFactor, pollMaxMs } = this.services.settings;
    return { initialMs: pollInitialMs, factor: pollFactor, maxMs: pollMaxMs };
  }
}

/** The deployment a job runs on, from its route as configured now. */
export async function deploymentOf(routeTable: Pick<RouteTable, 'resolve'>, job: VideoJob) {
  const route = await routeTable.resolve(job.orgId, job.routeModel);
  const deployment = route?.deployments.find((each) => each.id === job.deploymentId);
  if (!deployment) {
    throw new ApiError(
      'conflict',
      `the deployment '${job.deploymentId}' of route '${job.routeModel}' that runs video '${job.id}' is no longer configured`,
    );
  }
  return deployment;
}

/** The stored job in OpenAI's `video` shape, under Tollgate's id. */
export function toOpenAIVideo(job: VideoJob): OpenAIVideo {
  const seconds = (at: Date | null) => (at ? Math.floor(at.getTime() / 1000) : null);
  return {
    id: job.id,
    object: 'video',
    model: job.modelRequested,
    status: job.status,
    progress: job.progress,
    created_at: Math.floor(job.createdAt.getTime() / 1000),
    completed_at: seconds(job.completedAt),
    expires_at: null,
    prompt: job.prompt,
    seconds: job.seconds === null ? '' : String(job.seconds),
    size: job.size ?? '',
    remixed_from_video_id: null,
    error: job.error,
  };
}
