/**
 * The video job follower on a fake clock, over the real meta store (PGlite)
 * and the real simulated provider (whose jobs end by the same clock): the
 * exact backoff schedule of its polls, the one event it records, the log
 * lines that tell the poll count and total wait, and what happens across a
 * restart and between two processes (a lease: one polls each job).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  ManualClock,
  pollWaitMs,
  type MetaStore,
  type NewVideoJob,
  type VideoJobState,
} from '@tollgate/core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RoutedDeployment, ResolvedRoute } from '../../../src/gateway/routing/route-table';
import { PromptCallObservers } from '../../../src/gateway/call/prompt-call-observers';
import { VideoJobFollower } from '../../../src/gateway/call/video-job-follower';
import type { VideoJobSettings } from '../../../src/gateway/call/video-call';
import { createSimulatedProvider } from '../../../src/gateway/providers/simulated/simulated-provider';
import type { CallRecordBatch } from '../../../src/ingest/call-record-batch';
import { PricingService } from '../../../src/pricing/pricing-service';
import { ContentKeyring } from '../../../src/secrets/content-keys';
import { createPgliteMetaStore } from '../../../src/stores/meta';
import { createTempDir } from '../../helpers/temp-dir';

const T0 = Date.parse('2026-12-07T12:00:00.000Z');
const SETTINGS: VideoJobSettings = {
  pollInitialMs: 2_000,
  pollFactor: 1.5,
  pollMaxMs: 30_000,
  deadlineMs: 3_600_000,
  scanMs: 5_000,
  leaseMs: 30_000,
};

const directory = createTempDir('tollgate-video-follower-');
const clock = new ManualClock(T0);
const provider = createSimulatedProvider({ now: () => clock.now(), random: () => 0.5 });
const polledAt: number[] = [];
const deployment = {
  id: 'sim',
  provider: 'simulated',
  model: 'sora-2',
  options: { videoJobMs: 60_000 },
  timeoutMs: 10_000,
  outbound: 'operator',
} as unknown as RoutedDeployment;
const lines: string[] = [];
const logs: Record<string, unknown>[] = [];

let meta: MetaStore;
let scope: { orgId: string; projectId: string };

function follower(owner: string, store = meta): VideoJobFollower {
  return new VideoJobFollower({
    meta: store,
    router: {
      providerFor: () => ({
        ...provider,
        getVideo(upstreamId, call): Promise<VideoJobState> {
          polledAt.push(clock.now() - T0);
          return provider.getVideo!(upstreamId, call);
        },
      }),
    },
    routeTable: {
      resolve: async () => ({ deployments: [deployment] }) as unknown as ResolvedRoute,
    },
    pricing: new PricingService({ meta: store }),
    contentKeys: new ContentKeyring({ store, master: randomBytes(32) }),
    recorder: {
      observers: new PromptCallObservers(),
      batch: { add: (line: string) => lines.push(line) } as unknown as CallRecordBatch,
      logger: pino(
        { level: 'info' },
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
            done();
          },
        }),
      ),
    },
    clock,
    settings: SETTINGS,
    logger: pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
          done();
        },
      }),
    ),
    owner,
  });
}

let sequence = 0;
async function startJob(): Promise<NewVideoJob> {
  const state = await provider.createVideo!(
    { model: 'sora-2', prompt: 'A heron lands on a post', seconds: 8 },
    { deployment, signal: new AbortController().signal, requestId: `request-${++sequence}` },
  );
  const now = clock.now();
  const job: NewVideoJob = {
    id: `video_${sequence.toString(16).padStart(32, 'a')}`,
    orgId: scope.orgId,
    projectId: scope.projectId,
    requestId: `request-${sequence}`,
    eventId: `01KBZ00000000000000000000${sequence}`.slice(0, 26),
    modelRequested: 'sim-sora',
    routeModel: 'sim-sora',
    deploymentId: 'sim',
    provider: 'simulated',
    servedModel: 'sora-2',
    upstreamId: state.upstreamId,
    prompt: 'A heron lands on a post',
    seconds: state.seconds ?? null,
    size: state.size ?? null,
    status: state.status,
    progress: 0,
    error: null,
    simulated: true,
    trace: { runId: 'run-heron', userId: 'customer-3', sessionId: 'session-1' },
    userId: null,
    attempts: [],
    createdAt: new Date(now),
    nextPollAt: new Date(now + pollWaitMs(1, { initialMs: 2_000 })),
    deadlineAt: new Date(now + SETTINGS.deadlineMs),
  };
  await meta.createVideoJob(job);
  return job;
}

/** Moves the clock to the next due poll and runs a pass; false when no job is left to follow. */
async function nextPass(each: VideoJobFollower): Promise<boolean> {
  const due = await meta.nextVideoPollAt();
  if (!due) return false;
  await clock.advance(Math.max(0, due.getTime() - clock.now()));
  await each.runPass();
  return true;
}

beforeAll(async () => {
  meta = await createPgliteMetaStore({ directory: join(directory.path, 'meta') });
  await meta.migrate();
  const org = await meta.createOrganization({ name: 'acme' });
  const project = await meta.createProject({ orgId: org.id, name: 'app' });
  scope = { orgId: org.id, projectId: project.id };
}, 60_000);

afterAll(async () => {
  await meta?.close();
  directory.remove();
});

describe('the video job follower', () => {
  it('polls on the backoff schedule until the job ends, then records it once', async () => {
    const job = await startJob();
    const one = follower('process-1');
    // Nothing is due before the first wait has passed.
    await clock.advance(1_999);
    await one.runPass();
    expect(polledAt).toEqual([]);
    while (await nextPass(one));

    // 2, 3, 4.5, 6.75, 10.1, 15.2, 22.8 s between polls: the 60 s job is done at the 7th.
    expect(polledAt).toEqual([2_000, 5_000, 9_500, 16_250, 26_375, 41_563, 64_344]);
    expect(polledAt.slice(1).map((at, index) => at - polledAt[index]!)).toEqual([
      3_000, 4_500, 6_750, 10_125, 15_188, 22_781,
    ]);
    expect(lines).toHaveLength(1);
    const event = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(event).toMatchObject({
      event_id: job.eventId,
      event_type: 'prompt_call',
      operation: 'video',
      name: 'videos',
      status: 'success',
      request_id: job.requestId,
      run_id: 'run-heron',
      user_id: 'customer-3',
      session_id: 'session-1',
      provider: 'simulated',
      model: 'sora-2',
      video_duration_seconds: 8,
      cost_nanos: 800_000_000,
      latency_ms: 64_344,
      simulated: 1,
    });
    expect(await meta.getVideoJob(scope, job.id)).toMatchObject({
      status: 'completed',
      pollCount: 7,
      recordedAt: new Date(T0 + 64_344),
    });
    // The log tells every poll, and the end with the poll count and the total wait.
    expect(logs.filter((line) => line.videoId === job.id && line.nextPollInMs)).toHaveLength(6);
    expect(logs.find((line) => line.videoId === job.id && line.totalMs)).toMatchObject({
      polls: 7,
      totalMs: 64_344,
      status: 'completed',
      msg: 'video job completed after 7 polls',
    });
    // Ended: never polled again.
    await clock.advance(600_000);
    await one.runPass();
    expect(polledAt).toHaveLength(7);
  });

  it('lets one process poll a job while its lease holds, and another take over after', async () => {
    polledAt.length = 0;
    const job = await startJob();
    const startedAt = clock.now() - T0;
    await clock.advance(2_000);
    // Process A claimed the job and died before saving its poll.
    expect((await meta.claimVideoJobs('process-a', new Date(clock.now()), 30_000, 10))[0]?.id).toBe(
      job.id,
    );
    const b = follower('process-b');
    await b.runPass();
    expect(polledAt).toEqual([]);
    await clock.advance(30_001);
    await b.runPass();
    expect(polledAt).toEqual([startedAt + 32_001]);

    // Two processes passing at the same moment: the due job is polled once.
    const c = follower('process-c');
    await clock.advance(3_000);
    await Promise.all([b.runPass(), c.runPass()]);
    expect(polledAt).toEqual([startedAt + 32_001, startedAt + 35_001]);
  });

  it('resumes pending jobs when a process starts again on the same store', async () => {
    polledAt.length = 0;
    const job = await startJob();
    await meta.close();
    // The restart: a new store on the same directory, a new follower, started as the server starts it.
    meta = await createPgliteMetaStore({ directory: join(directory.path, 'meta') });
    await clock.advance(2_000);
    const restarted = follower('process-restarted');
    restarted.start();
    await vi.waitFor(async () => {
      expect((await meta.getVideoJob(scope, job.id))?.pollCount).toBe(1);
    });
    await restarted.stop();
    expect(polledAt).toContain(clock.now() - T0);
  });

  it('gives up a job past its deadline, records it as a timeout with its cost unknown', async () => {
    lines.length = 0;
    const job = await startJob();
    const one = follower('process-1');
    await clock.advance(SETTINGS.deadlineMs);
    await one.runPass();
    const ended = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((event) => event.request_id === job.requestId);
    expect(ended).toMatchObject({ status: 'timeout', cost_unpriced: 1, cost_nanos: 0 });
    expect(await meta.getVideoJob(scope, job.id)).toMatchObject({
      status: 'failed',
      error: { code: 'expired' },
    });
  });
});
