/**
 * Video jobs served by the simulated provider, through the real server and
 * OpenAI's official client: the job is created, followed by the gateway with
 * short configured backoff waits, ends, and leaves one `video` prompt call
 * with its seconds, per-second cost, latency, status and the run, user and
 * session of the call that started it. Failed and expired jobs are recorded
 * as such; bad input and other tenants' ids get clear 4xx answers.
 */
import { waitForVideo } from '@tollgate/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { route, startGatewayServer, type GatewayServer } from '../../helpers/gateway-server';
import { newTenant } from '../../helpers/new-tenant';
import { newRequestId } from '../gateway-call-records';
import { videoEnded, videoEventsOf } from './video-events';

const PROMPT = 'A paper boat drifting down a rain gutter, seen from above';

let gateway: GatewayServer;

beforeAll(async () => {
  gateway = await startGatewayServer(
    [
      route(
        'sim-sora',
        '{ id: sim-video, provider: simulated, model: sora-2, options: { videoJobMs: 2000 } }',
      ),
      route(
        'sim-broken',
        '{ id: sim-broken, provider: simulated, model: sora-2, options: { videoJobMs: 100, videoOutcome: failed } }',
      ),
      route(
        'sim-slow',
        '{ id: sim-slow, provider: simulated, model: sora-2, options: { videoJobMs: 600000 } }',
      ),
    ],
    {
      TOLLGATE_VIDEO_POLL_INITIAL_MS: '50',
      TOLLGATE_VIDEO_POLL_MAX_MS: '200',
      TOLLGATE_VIDEO_DEADLINE_MS: '4000',
    },
  );
}, 120_000);

afterAll(async () => {
  await gateway?.close();
});

describe('simulated video jobs', () => {
  it('are followed to completion and recorded once, with seconds, cost, latency and the run', async () => {
    const requestId = newRequestId('video');
    const trace = {
      'x-request-id': requestId,
      'x-tollgate-run-id': `run-${requestId}`,
      'x-tollgate-user-id': 'customer-42',
      'x-tollgate-session-id': 'session-7',
    };
    const created = await gateway.openai.videos
      .create(
        { model: 'sim-sora' as never, prompt: PROMPT, seconds: '8', size: '1280x720' },
        { headers: trace },
      )
      .withResponse();
    expect(created.response.headers.get('x-tollgate-simulated')).toBe('true');
    const video = created.data;
    expect(video).toMatchObject({
      object: 'video',
      status: 'queued',
      seconds: '8',
      size: '1280x720',
    });
    expect(video.id).toMatch(/^video_[0-9a-f]{32}$/);

    const ended = await videoEnded(gateway.openai, video.id);
    expect(ended).toMatchObject({ id: video.id, status: 'completed', progress: 100, error: null });
    expect(ended.completed_at).toBeGreaterThanOrEqual(video.created_at);

    const content = await gateway.openai.videos.downloadContent(video.id);
    expect(content.headers.get('content-type')).toBe('video/mp4');
    expect(content.headers.get('x-tollgate-simulated')).toBe('true');
    const bytes = Buffer.from(await content.arrayBuffer());
    expect(bytes.subarray(4, 8).toString('ascii')).toBe('ftyp');

    const events = await videoEventsOf(gateway.reader, requestId);
    expect(events).toHaveLength(1);
    const event = events[0]!;
    expect(event).toMatchObject({
      name: 'videos',
      operation: 'video',
      status: 'success',
      provider: 'simulated',
      model: 'sora-2',
      model_requested: 'sim-sora',
      video_duration_seconds: 8,
      // sora-2: $0.10 a second of video.
      cost_nanos: 800_000_000,
      cost_unpriced: false,
      simulated: true,
      run_id: `run-${requestId}`,
      user_id: 'customer-42',
      session_id: 'session-7',
      input: PROMPT,
    });
    expect(event.latency_ms).toBeGreaterThanOrEqual(2_000);
    const metadata =
      typeof event.metadata === 'string' ? JSON.parse(event.metadata) : event.metadata;
    expect(metadata).toMatchObject({ video_id: video.id });
    // Polled every 50, 75, 112.5, 168.75, 200, 200 … ms until the 2 s job ended (the exact
    // schedule is checked on a fake clock in video-job-follower.test.ts): more than once.
    expect(metadata.polls).toBeGreaterThanOrEqual(2);

    // Ended means no longer followed: a while later there is still exactly one event.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await videoEventsOf(gateway.reader, requestId, 0)).toHaveLength(1);
  });

  it("is followed to its end by the SDK's waitForVideo with the official client", async () => {
    const video = await gateway.openai.videos.create({
      model: 'sim-sora' as never,
      prompt: PROMPT,
    });
    const ends: unknown[] = [];
    const logger = { debug: () => undefined, info: (...line: unknown[]) => void ends.push(line) };
    const {
      video: ended,
      polls,
      totalWaitMs,
    } = await waitForVideo(gateway.openai, video.id, {
      initialMs: 100,
      maxMs: 400,
      logger,
    });
    expect(ended).toMatchObject({ id: video.id, status: 'completed', seconds: '4' });
    // A 2 s job: waits of 100, 150, 225, 337.5, 400 … ms.
    expect(polls).toBeGreaterThanOrEqual(5);
    expect(totalWaitMs).toBeGreaterThanOrEqual(1_500);
    expect(ends).toEqual([
      [
        `video completed after ${polls} polls`,
        { videoId: video.id, status: 'completed', polls, totalWaitMs },
      ],
    ]);
  });

  it('records a failed job as an error, at no cost, and has no content for it', async () => {
    const requestId = newRequestId('video-failed');
    const video = await gateway.openai.videos.create(
      { model: 'sim-broken' as never, prompt: PROMPT },
      { headers: { 'x-request-id': requestId } },
    );
    const ended = await videoEnded(gateway.openai, video.id);
    expect(ended).toMatchObject({ status: 'failed', error: { code: 'simulated_failure' } });
    const content = await gateway.server.request(`/v1/videos/${video.id}/content`);
    expect(content.status).toBe(409);
    expect(await content.json()).toMatchObject({
      error: { message: expect.stringContaining('failed') },
    });

    const [event, ...more] = await videoEventsOf(gateway.reader, requestId);
    expect(more).toHaveLength(0);
    expect(event).toMatchObject({
      operation: 'video',
      status: 'error',
      cost_nanos: 0,
      cost_unpriced: false,
      video_duration_seconds: 0,
    });
    expect(event!.error_message).toContain('simulated_failure');
  });

  it('gives up a job past its deadline and records it as a timeout, its cost unknown', async () => {
    const requestId = newRequestId('video-expired');
    const video = await gateway.openai.videos.create(
      { model: 'sim-slow' as never, prompt: PROMPT },
      { headers: { 'x-request-id': requestId } },
    );
    const ended = await videoEnded(gateway.openai, video.id);
    expect(ended).toMatchObject({ status: 'failed', error: { code: 'expired' } });
    const [event, ...more] = await videoEventsOf(gateway.reader, requestId);
    expect(more).toHaveLength(0);
    expect(event).toMatchObject({ status: 'timeout', cost_unpriced: true });
    expect(event!.latency_ms).toBeGreaterThanOrEqual(4_000);
  });

  it('answers bad input and unknown or foreign ids with clear 4xx errors', async () => {
    const missing = await gateway.server.request('/v1/videos', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sim-sora' }),
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { param: 'prompt' } });

    const badSeconds = await gateway.server.request('/v1/videos', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sim-sora', prompt: PROMPT, seconds: 'eight' }),
    });
    expect(badSeconds.status).toBe(400);
    expect(await badSeconds.json()).toMatchObject({ error: { param: 'seconds' } });

    const chat = await gateway.server.request('/v1/videos', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'no-such-model', prompt: PROMPT }),
    });
    expect(chat.status).toBe(404);

    const unknown = await gateway.server.request(`/v1/videos/video_${'0'.repeat(32)}`);
    expect(unknown.status).toBe(404);

    const video = await gateway.openai.videos.create({
      model: 'sim-sora' as never,
      prompt: PROMPT,
    });
    const other = await newTenant(gateway.server.app.stores.meta, 'other org');
    const foreign = new OpenAI({
      apiKey: other.projectKey,
      baseURL: `${gateway.server.url}/v1`,
      maxRetries: 0,
    });
    await expect(foreign.videos.retrieve(video.id)).rejects.toMatchObject({ status: 404 });
    await expect(foreign.videos.downloadContent(video.id)).rejects.toMatchObject({ status: 404 });
  });
});
