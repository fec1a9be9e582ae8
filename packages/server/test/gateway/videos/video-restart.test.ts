/**
 * A video job survives a crash of the server that started it: `tollgate
 * serve` is killed (SIGKILL) while the job runs, started again on the same
 * data directory, resumes following the job from the meta store, and records
 * it once when it ends, with the poll count and the total in its log.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../../helpers/server-process';
import { createTempDir } from '../../helpers/temp-dir';
import { newRequestId } from '../gateway-call-records';

const directory = createTempDir('tollgate-video-restart-');
let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.kill();
  directory.remove();
});

describe('video jobs across a restart', () => {
  it('are resumed from the meta store by the restarted server and recorded once', async () => {
    const routes = join(directory.path, 'routes.yaml');
    writeFileSync(
      routes,
      [
        'routes:',
        '  - model: sim-sora',
        '    deployments:',
        '      - { id: sim, provider: simulated, model: sora-2, options: { videoJobMs: 4000 } }',
        '',
      ].join('\n'),
    );
    const environment = {
      TOLLGATE_DATA_DIR: join(directory.path, 'data'),
      TOLLGATE_ROUTES: routes,
      TOLLGATE_VIDEO_POLL_INITIAL_MS: '100',
      TOLLGATE_VIDEO_POLL_MAX_MS: '300',
      LOG_LEVEL: 'info',
    };
    server = await startServerProcess(environment, 120_000);
    const key = server.projectKey!;
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const requestId = newRequestId('video-restart');
    const created = await fetch(`${server.url}/v1/videos`, {
      method: 'POST',
      headers: { ...headers, 'x-request-id': requestId, 'x-tollgate-run-id': 'run-restart' },
      body: JSON.stringify({ model: 'sim-sora', prompt: 'A kite over a beach', seconds: '4' }),
    });
    expect(created.status).toBe(200);
    const video = (await created.json()) as { id: string; status: string };
    expect(video.status).toBe('queued');
    await server.kill('SIGKILL');

    server = await startServerProcess(environment, 120_000);
    const giveUpAt = Date.now() + 60_000;
    let status = '';
    while (status !== 'completed' && Date.now() < giveUpAt) {
      const answer = await fetch(`${server.url}/v1/videos/${video.id}`, { headers });
      expect(answer.status).toBe(200);
      status = ((await answer.json()) as { status: string }).status;
      if (status !== 'completed') await sleep(100);
    }
    expect(status).toBe('completed');

    let events: { request_id: string; status: string; video_duration_seconds: number }[] = [];
    while (events.length === 0 && Date.now() < giveUpAt) {
      const answer = await fetch(
        `${server.url}/api/v1/events?event_type=prompt_call&run_id=run-restart&limit=100`,
        { headers },
      );
      events = ((await answer.json()) as { events: typeof events }).events;
      if (events.length === 0) await sleep(100);
    }
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      request_id: requestId,
      status: 'success',
      video_duration_seconds: 4,
    });
    expect(server.output()).toMatch(/video job completed after \d+ polls/);
  }, 300_000);
});
