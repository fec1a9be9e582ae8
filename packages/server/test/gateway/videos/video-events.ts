/**
 * Reading back the `prompt_call` event a video job left, through the read
 * API as a user would, and waiting for a job to end through the gateway.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type OpenAI from 'openai';
import { expect } from 'vitest';
import type { EventReader } from '../gateway-call-records';

export interface VideoEvent {
  event_id: string;
  request_id: string;
  run_id: string;
  user_id: string;
  session_id: string;
  name: string;
  status: string;
  operation: string;
  provider: string;
  model: string;
  model_requested: string;
  video_duration_seconds: number;
  cost_nanos: number;
  cost_unpriced: boolean;
  latency_ms: number;
  simulated: boolean;
  error_message: string;
  input: string;
  metadata: Record<string, unknown> | string;
}

/** The `prompt_call` events of a request id (all of them: a test asserts there is one). */
export async function videoEventsOf(
  reader: EventReader,
  requestId: string,
  timeoutMs = 15_000,
): Promise<VideoEvent[]> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${reader.url}/api/v1/events?event_type=prompt_call&limit=1000`, {
      headers: { authorization: `Bearer ${reader.key}` },
    });
    expect(response.status).toBe(200);
    const { events } = (await response.json()) as { events: VideoEvent[] };
    const found = events.filter((event) => event.request_id === requestId);
    if (found.length > 0 || Date.now() > giveUpAt) return found;
    await sleep(50);
  }
}

/** Polls `GET /v1/videos/{id}` through the official client until the job has ended. */
export async function videoEnded(
  openai: OpenAI,
  id: string,
  timeoutMs = 15_000,
): Promise<OpenAI.Videos.Video> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const video = await openai.videos.retrieve(id);
    if (video.status === 'completed' || video.status === 'failed') return video;
    if (Date.now() > giveUpAt) throw new Error(`video ${id} still ${video.status}`);
    await sleep(25);
  }
}
