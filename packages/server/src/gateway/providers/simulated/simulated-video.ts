import { randomBytes } from 'node:crypto';
import type { OpenAIVideoRequest, VideoContent, VideoJobState } from '@tollgate/core';
import type { SimulatedOptions } from './simulated-options';

/** What a simulated job lasts when its request says nothing: sora-2's default clip. */
const DEFAULT_SECONDS = 4;
const DEFAULT_SIZE = '720x1280';
const ID_PATTERN = /^video_sim_([0-9a-z]+)_([0-9a-z]+)_[0-9a-f]{16}$/;

/**
 * A simulated video job. Its id holds its start time and length, so its state
 * is a function of the clock alone and a job survives a restart of the
 * gateway like a real provider's: `queued` for the first tenth of
 * `videoJobMs`, then `in_progress`, then `completed` (or `failed` when the
 * deployment's `videoOutcome` says so).
 */
export function startSimulatedVideo(request: OpenAIVideoRequest, now: number): VideoJobState {
  const seconds = request.seconds ?? DEFAULT_SECONDS;
  const upstreamId = `video_sim_${now.toString(36)}_${seconds.toString(36)}_${randomBytes(8).toString('hex')}`;
  return {
    upstreamId,
    status: 'queued',
    progress: 0,
    seconds,
    size: request.size ?? DEFAULT_SIZE,
    simulated: true,
  };
}

/** The job's state at `now`; undefined for an id this provider never made. */
export function simulatedVideoState(
  upstreamId: string,
  options: SimulatedOptions,
  now: number,
): VideoJobState | undefined {
  const match = ID_PATTERN.exec(upstreamId);
  if (!match) return undefined;
  const startedAt = parseInt(match[1]!, 36);
  const seconds = parseInt(match[2]!, 36);
  const elapsed = now - startedAt;
  const base = { upstreamId, seconds, simulated: true };
  if (elapsed >= options.videoJobMs) {
    return options.videoOutcome === 'failed'
      ? {
          ...base,
          status: 'failed',
          progress: 100,
          error: { code: 'simulated_failure', message: 'the simulated job failed, as configured' },
        }
      : { ...base, status: 'completed', progress: 100 };
  }
  const progress = Math.floor((elapsed / Math.max(options.videoJobMs, 1)) * 100);
  return {
    ...base,
    status: elapsed < options.videoJobMs / 10 ? 'queued' : 'in_progress',
    progress: Math.max(0, Math.min(99, progress)),
  };
}

/**
 * The simulated video's bytes: an MP4 `ftyp` box and a `free` box that says
 * it is simulated. A file type a player recognises, not a playable clip.
 */
export function simulatedVideoContent(upstreamId: string): VideoContent {
  const ftyp = box(
    'ftyp',
    Buffer.concat([Buffer.from('isom'), uint32(512), Buffer.from('isommp41')]),
  );
  const free = box('free', Buffer.from(`tollgate simulated video ${upstreamId}`));
  const bytes = Buffer.concat([ftyp, free]);
  return {
    contentType: 'video/mp4',
    body: (async function* () {
      yield new Uint8Array(bytes);
    })(),
    length: bytes.length,
    simulated: true,
  };
}

function box(type: string, payload: Buffer): Buffer {
  return Buffer.concat([uint32(8 + payload.length), Buffer.from(type, 'ascii'), payload]);
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}
