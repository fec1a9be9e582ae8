/**
 * Answered means recorded: gateway calls answered just before a `kill -9`
 * (their events still waiting to share an insert) are in the journal, and the
 * next start stores each of them exactly once, streams included.
 * A clean stop leaves no journal behind.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServerProcess } from '../helpers/server-process';
import { createTempDir } from '../helpers/temp-dir';
import { listRunEvents, occurrences } from '../chaos/chaos-support';

const CALLS = 24;

async function call(url: string, key: string, runId: string, index: number): Promise<string> {
  const requestId = `journal-${index}-${randomUUID()}`;
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'x-request-id': requestId,
      'x-tollgate-run-id': runId,
    },
    body: JSON.stringify({
      model: 'simulated/journal',
      stream: index % 2 === 1,
      messages: [{ role: 'user', content: `call ${index}` }],
    }),
  });
  await response.text();
  return requestId;
}

describe('gateway call journal', () => {
  it('records every call answered before a kill -9, once, at the next start', async () => {
    const dataDir = createTempDir();
    const environment = { TOLLGATE_DATA_DIR: dataDir.path };
    let server = await startServerProcess(environment);
    const key = server.projectKey!;
    const runId = `journal-run-${randomUUID()}`;
    try {
      // Calls answered together: all but the first wait (50 ms or more) to share an insert.
      const answered = await Promise.all(
        Array.from({ length: CALLS }, (_, index) => call(server.url, key, runId, index)),
      );
      await server.kill('SIGKILL');
      const journal = join(dataDir.path, 'journal');
      expect(readdirSync(journal).length).toBeGreaterThan(0);

      server = await startServerProcess(environment);
      const recorded = await listRunEvents(server.url, key, runId);
      const perCall = occurrences(recorded.map((event) => event.request_id));
      expect([...perCall.keys()].sort()).toEqual([...answered].sort());
      expect([...perCall.values()].every((count) => count === 1)).toBe(true);

      // Replayed segments are gone; a clean stop leaves an empty journal.
      await server.kill('SIGTERM');
      expect(existsSync(journal) ? readdirSync(journal) : []).toEqual([]);
    } finally {
      await server.kill('SIGKILL');
      dataDir.remove();
    }
  }, 180_000);
});
