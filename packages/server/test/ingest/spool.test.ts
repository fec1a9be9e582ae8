import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/config';
import { closeStores, openStores, type Stores } from '../../src/stores/open-stores';
import { withOutage } from '../helpers/store-outage';
import { createTempDir } from '../helpers/temp-dir';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function serverWithOutage(environment: Record<string, string> = {}) {
  const dataDir = createTempDir();
  const configuration = loadConfiguration({ TOLLGATE_DATA_DIR: dataDir.path, ...environment });
  const stores: Stores = await openStores(configuration);
  const outage = withOutage(stores.events);
  const server: TestServer = await startTestServer({
    environment: { TOLLGATE_DATA_DIR: dataDir.path, ...environment },
    build: { stores: { ...stores, events: outage.store } },
  });
  cleanups.push(async () => {
    await server.close();
    await closeStores(stores);
    dataDir.remove();
  });
  return { server, stores, outage, spoolPath: join(dataDir.path, 'spool', 'events.spool') };
}

const batch = (run: string, size: number, offset = 0) =>
  Array.from({ length: size }, (_, index) => ({
    event_type: 'custom',
    run_id: run,
    name: `e${offset + index}`,
  }));

async function countRun(server: TestServer, run: string): Promise<string[]> {
  const page = await server.request(`/api/v1/events?run_id=${run}&limit=1000`);
  const body = (await page.json()) as { events: Array<{ name: string }> };
  return body.events.map((event) => event.name);
}

describe('spool', () => {
  it('acknowledges events while the store is down and replays them exactly once when it returns', async () => {
    const { server, outage, spoolPath } = await serverWithOutage();
    expect((await postJson(server, '/api/v1/events', batch('outage', 10))).status).toBe(200);

    outage.setDown(true);
    const during = await Promise.all(
      [0, 1, 2, 3].map((part) =>
        postJson(server, '/api/v1/events', batch('outage', 25, 10 + part * 25)),
      ),
    );
    expect(during.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    expect(outage.failedInserts()).toBeGreaterThan(0);
    expect(statSync(spoolPath).size).toBeGreaterThan(0);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);

    outage.setDown(false);
    // The writer retries every 2 s; wait until the spool has been emptied.
    for (let attempt = 0; attempt < 50 && statSync(spoolPath).size > 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(statSync(spoolPath).size).toBe(0);
    const names = await countRun(server, 'outage');
    expect(names).toHaveLength(110);
    expect(new Set(names).size).toBe(110);
    expect(server.app.eventWriter.stats.replayedRows).toBe(100);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('answers 503 spool_full when the store is down and the spool cannot take the batch', async () => {
    const { server, outage } = await serverWithOutage({ TOLLGATE_SPOOL_MAX_BYTES: '16384' });
    outage.setDown(true);
    const first = await postJson(server, '/api/v1/events', batch('full', 5));
    expect(first.status).toBe(200);
    const second = await postJson(server, '/api/v1/events', batch('full', 200, 5));
    expect(second.status).toBe(503);
    const body = (await second.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('spool_full');
    expect(body.error.message).toMatch(/spool is full/);
    outage.setDown(false);
    for (let attempt = 0; attempt < 50 && server.app.eventWriter.isSpooling; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The acknowledged five are there, the refused batch is not.
    expect((await countRun(server, 'full')).sort()).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
  });
});
