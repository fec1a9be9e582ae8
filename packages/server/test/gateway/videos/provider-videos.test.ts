/**
 * Video jobs on OpenAI (Sora's Videos API) and Gemini (Veo's
 * `:predictLongRunning` and operation polling), each on a loopback upstream
 * that speaks the provider's wire format and plays a scripted run of job
 * states. Through the real server and OpenAI's official client: the request
 * sent upstream, the polls at growing intervals, the content streamed back,
 * and one `video` prompt call per job with its per-second cost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  providerDeployment,
  route,
  startGatewayServer,
  type GatewayServer,
} from '../../helpers/gateway-server';
import { startGeminiUpstream } from '../../helpers/upstreams/gemini-upstream';
import { startOpenAIUpstream } from '../../helpers/upstreams/openai-upstream';
import type { ScriptedUpstream } from '../../helpers/upstreams/scripted-upstream';
import { ArrivalLog, newRequestId } from '../gateway-call-records';
import { videoEnded, videoEventsOf } from './video-events';

const PROMPT = 'A lighthouse in a storm, waves breaking, slow push in';
const MP4 = Buffer.concat([
  Buffer.from([0, 0, 0, 0x18]),
  Buffer.from('ftypisom'),
  Buffer.alloc(12, 1),
]);

let gateway: GatewayServer;
let sora: ScriptedUpstream;
let veo: ScriptedUpstream;

beforeAll(async () => {
  [sora, veo] = await Promise.all([startOpenAIUpstream('openai'), startGeminiUpstream()]);
  gateway = await startGatewayServer(
    [
      route('sora-2', providerDeployment('sora', 'openai', 'sora-2', sora)),
      route('veo-3', providerDeployment('veo', 'gemini', 'veo-3.0-generate-001', veo)),
    ],
    { TOLLGATE_VIDEO_POLL_INITIAL_MS: '100', TOLLGATE_VIDEO_POLL_MAX_MS: '300' },
  );
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await Promise.all([sora, veo].map((upstream) => upstream?.close()));
});

function soraVideo(status: string, progress: number, extra: Record<string, unknown> = {}) {
  return {
    type: 'json' as const,
    body: {
      id: 'video_68d7512d07848190b3e45da0ecbebcde',
      object: 'video',
      model: 'sora-2',
      status,
      progress,
      created_at: 1_758_941_485,
      completed_at: status === 'completed' ? 1_758_941_545 : null,
      expires_at: null,
      prompt: PROMPT,
      seconds: '4',
      size: '720x1280',
      remixed_from_video_id: null,
      error: null,
      ...extra,
    },
  };
}

describe('OpenAI (Sora) video jobs', () => {
  it('are started, polled with a growing backoff, downloaded and recorded with their cost', async () => {
    sora.reply(
      soraVideo('queued', 0),
      soraVideo('in_progress', 10),
      soraVideo('in_progress', 55),
      soraVideo('in_progress', 90),
      soraVideo('completed', 100),
    );
    const arrivals = new ArrivalLog({ sora });
    const requestId = newRequestId('sora');
    const video = await gateway.openai.videos.create(
      { model: 'sora-2', prompt: PROMPT, seconds: '4', size: '720x1280' },
      { headers: { 'x-request-id': requestId, 'x-tollgate-user-id': 'customer-9' } },
    );
    expect(video).toMatchObject({ object: 'video', status: 'queued', seconds: '4' });
    expect(video.id).not.toBe('video_68d7512d07848190b3e45da0ecbebcde');
    const created = sora.requests[0]!;
    expect(created.method).toBe('POST');
    expect(created.url).toBe('/v1/videos');
    expect(created.headers.authorization).toBe('Bearer sk-test-openai');
    expect(created.json).toEqual({
      model: 'sora-2',
      prompt: PROMPT,
      seconds: '4',
      size: '720x1280',
    });

    expect(await videoEnded(gateway.openai, video.id)).toMatchObject({
      status: 'completed',
      progress: 100,
    });
    const polls = arrivals.arrivals.slice(1);
    expect(polls.map((arrival) => `${arrival.request.method} ${arrival.request.url}`)).toEqual(
      Array(4).fill('GET /v1/videos/video_68d7512d07848190b3e45da0ecbebcde'),
    );
    // 100 ms after the start, then 150, 225 and 300 (the cap) between polls. Each wait starts
    // when a poll is sent, and a busy machine delays one poll's arrival more than the next, so
    // single gaps may look short; their sum cannot (the exact schedule has a fake-clock test).
    const gaps = arrivals.gaps().slice(0, 4);
    expect(gaps.reduce((sum, gap) => sum + gap, 0)).toBeGreaterThanOrEqual(760);

    sora.reply({ type: 'bytes', body: MP4, contentType: 'video/mp4' });
    const content = await gateway.openai.videos.downloadContent(video.id);
    expect(Buffer.from(await content.arrayBuffer())).toEqual(MP4);
    expect(sora.lastRequest().url).toBe(
      '/v1/videos/video_68d7512d07848190b3e45da0ecbebcde/content',
    );

    const events = await videoEventsOf(gateway.reader, requestId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      operation: 'video',
      status: 'success',
      provider: 'openai',
      model: 'sora-2',
      video_duration_seconds: 4,
      // sora-2: $0.10 a second.
      cost_nanos: 400_000_000,
      cost_unpriced: false,
      simulated: false,
      user_id: 'customer-9',
    });
  });

  it('records a job the provider failed as an error with its reason', async () => {
    sora.reply(
      soraVideo('queued', 0),
      soraVideo('failed', 0, {
        error: { code: 'moderation_blocked', message: 'Your request was blocked' },
      }),
    );
    const requestId = newRequestId('sora-failed');
    const video = await gateway.openai.videos.create(
      { model: 'sora-2', prompt: PROMPT },
      { headers: { 'x-request-id': requestId } },
    );
    expect(await videoEnded(gateway.openai, video.id)).toMatchObject({
      status: 'failed',
      error: { code: 'moderation_blocked' },
    });
    const [event] = await videoEventsOf(gateway.reader, requestId);
    expect(event).toMatchObject({ status: 'error', cost_nanos: 0, cost_unpriced: false });
    expect(event!.error_message).toContain('moderation_blocked');
  });

  it("passes the provider's refusal of a job on, and records the failed call at once", async () => {
    sora.reply({
      type: 'json',
      status: 400,
      body: { error: { message: 'Invalid size', type: 'invalid_request_error', param: 'size' } },
    });
    const requestId = newRequestId('sora-refused');
    await expect(
      gateway.openai.videos.create(
        { model: 'sora-2', prompt: PROMPT, size: '123x456' as never },
        { headers: { 'x-request-id': requestId } },
      ),
    ).rejects.toMatchObject({ status: 400 });
    const [event, ...more] = await videoEventsOf(gateway.reader, requestId);
    expect(more).toHaveLength(0);
    expect(event).toMatchObject({ operation: 'video', status: 'error', provider: '' });
  });
});

describe('Gemini (Veo) video jobs', () => {
  const OPERATION = 'models/veo-3.0-generate-001/operations/k3x9pq1m2n';

  it('start a long-running operation, poll it until done and download the file', async () => {
    const done = {
      name: OPERATION,
      done: true,
      response: {
        '@type':
          'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse',
        generateVideoResponse: {
          generatedSamples: [{ video: { uri: `${veo.url}/files/k3x9pq1m2n:download?alt=media` } }],
        },
      },
    };
    veo.reply(
      { type: 'json', body: { name: OPERATION } },
      { type: 'json', body: { name: OPERATION, done: false } },
      { type: 'json', body: { name: OPERATION, done: false } },
      { type: 'json', body: done },
    );
    const requestId = newRequestId('veo');
    const video = await gateway.openai.videos.create(
      { model: 'veo-3' as never, prompt: PROMPT, size: '1280x720' },
      { headers: { 'x-request-id': requestId } },
    );
    expect(video).toMatchObject({ status: 'in_progress', seconds: '8', size: '1280x720' });
    const started = veo.requests[0]!;
    expect(started.url).toBe('/models/veo-3.0-generate-001:predictLongRunning');
    expect(started.headers['x-goog-api-key']).toBe('sk-test-openai');
    expect(started.json).toEqual({
      instances: [{ prompt: PROMPT }],
      parameters: { aspectRatio: '16:9', resolution: '720p' },
    });
    expect(await videoEnded(gateway.openai, video.id)).toMatchObject({ status: 'completed' });
    expect(veo.requests.slice(1).map((request) => `${request.method} ${request.url}`)).toEqual(
      Array(3).fill(`GET /${OPERATION}`),
    );

    // The content: the operation read again, its file's download URL, which redirects.
    veo.reply(
      { type: 'json', body: done },
      { type: 'json', status: 302, body: {}, headers: { location: '/storage/k3x9pq1m2n.mp4' } },
      { type: 'bytes', body: MP4, contentType: 'video/mp4' },
    );
    const content = await gateway.openai.videos.downloadContent(video.id);
    expect(Buffer.from(await content.arrayBuffer())).toEqual(MP4);
    expect(veo.requests.slice(-2).map((request) => request.url)).toEqual([
      '/files/k3x9pq1m2n:download?alt=media',
      '/storage/k3x9pq1m2n.mp4',
    ]);

    const events = await videoEventsOf(gateway.reader, requestId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      operation: 'video',
      status: 'success',
      provider: 'gemini',
      model: 'veo-3.0-generate-001',
      // Veo makes 8-second clips unless asked; veo-3.0-generate-001: $0.40 a second.
      video_duration_seconds: 8,
      cost_nanos: 3_200_000_000,
      cost_unpriced: false,
    });
  });

  it('records an operation that ended with an error as failed', async () => {
    veo.reply(
      { type: 'json', body: { name: OPERATION } },
      {
        type: 'json',
        body: {
          name: OPERATION,
          done: true,
          error: { code: 3, message: 'The prompt was rejected', status: 'INVALID_ARGUMENT' },
        },
      },
    );
    const requestId = newRequestId('veo-failed');
    const video = await gateway.openai.videos.create(
      { model: 'veo-3' as never, prompt: PROMPT, seconds: '4' },
      { headers: { 'x-request-id': requestId } },
    );
    expect(veo.requests.at(-1)!.json).toEqual({
      instances: [{ prompt: PROMPT }],
      parameters: { durationSeconds: 4 },
    });
    expect(await videoEnded(gateway.openai, video.id)).toMatchObject({
      status: 'failed',
      error: { code: 'INVALID_ARGUMENT', message: 'The prompt was rejected' },
    });
    const [event] = await videoEventsOf(gateway.reader, requestId);
    expect(event).toMatchObject({ status: 'error', provider: 'gemini', cost_nanos: 0 });
  });
});
