/**
 * Event store outage during traffic: the store refuses every insert for a few
 * seconds while clients call the gateway (JSON and streams) and ingest
 * batches. The gateway keeps answering, ingestion keeps acknowledging (the
 * spool), and once the store is back every answered call has exactly one
 * `prompt_call` event and every acknowledged event is stored exactly once.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/config';
import { closeStores, openStores } from '../../src/stores/open-stores';
import { withOutage } from '../helpers/store-outage';
import { createTempDir } from '../helpers/temp-dir';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';
import { listRunEvents, occurrences, printSummary, reconcile } from './chaos-support';

const UP_BEFORE_MS = 1_500;
const DOWN_MS = 4_000;
const UP_AFTER_MS = 1_500;
const GATEWAY_CLIENTS = 4;
const INGEST_CLIENTS = 2;
const GATEWAY_RUN = 'chaos-outage-gateway';
const INGEST_RUN = 'chaos-outage-ingest';

interface Tally {
  answered: string[];
  answeredWhileDown: number;
  failedCalls: string[];
  acknowledged: string[];
  failedBatches: number[];
}

async function callGateway(server: TestServer, call: number, tally: Tally): Promise<string> {
  const requestId = `outage-${randomUUID()}`;
  const response = await server.request('/v1/chat/completions', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-request-id': requestId,
      'x-tollgate-run-id': GATEWAY_RUN,
    },
    body: JSON.stringify({
      model: 'simulated/outage',
      stream: call % 2 === 1,
      messages: [{ role: 'user', content: 'Say hello' }],
    }),
  });
  const text = await response.text();
  if (response.status !== 200) tally.failedCalls.push(`${response.status} ${text.slice(0, 200)}`);
  return requestId;
}

describe('chaos: event store outage', () => {
  it('keeps the gateway answering while the store is down, then replays every event once', async () => {
    const dataDir = createTempDir();
    const configuration = loadConfiguration({ TOLLGATE_DATA_DIR: dataDir.path });
    const stores = await openStores(configuration);
    const outage = withOutage(stores.events);
    const server = await startTestServer({
      environment: { TOLLGATE_DATA_DIR: dataDir.path },
      build: { stores: { ...stores, events: outage.store } },
    });
    const tally: Tally = {
      answered: [],
      answeredWhileDown: 0,
      failedCalls: [],
      acknowledged: [],
      failedBatches: [],
    };
    let down = false;
    let stop = false;
    try {
      const gatewayClients = Array.from({ length: GATEWAY_CLIENTS }, async () => {
        for (let call = 0; !stop; call += 1) {
          const requestId = await callGateway(server, call, tally);
          tally.answered.push(requestId);
          if (down) tally.answeredWhileDown += 1;
        }
      });
      const ingestClients = Array.from({ length: INGEST_CLIENTS }, async () => {
        while (!stop) {
          const events = Array.from({ length: 10 }, () => ({
            event_type: 'custom',
            run_id: INGEST_RUN,
            name: 'outage',
          }));
          const response = await postJson(server, '/api/v1/events', events);
          if (response.status !== 200) {
            tally.failedBatches.push(response.status);
            continue;
          }
          tally.acknowledged.push(
            ...((await response.json()) as { event_ids: string[] }).event_ids,
          );
        }
      });
      await sleep(UP_BEFORE_MS);
      down = true;
      outage.setDown(true);
      await sleep(DOWN_MS);
      outage.setDown(false);
      down = false;
      await sleep(UP_AFTER_MS);
      stop = true;
      await Promise.all([...gatewayClients, ...ingestClients]);

      // Wait for the spool to drain and the gateway's last records to be written.
      const answeredIds = tally.answered;
      let recorded = await listRunEvents(server.url, server.tenant.projectKey, GATEWAY_RUN);
      for (let waited = 0; waited < 30_000 && recorded.length < answeredIds.length; waited += 250) {
        await sleep(250);
        recorded = await listRunEvents(server.url, server.tenant.projectKey, GATEWAY_RUN);
      }
      const stored = await listRunEvents(server.url, server.tenant.projectKey, INGEST_RUN);
      const gateway = reconcile(
        answeredIds,
        recorded.map((event) => event.request_id),
      );
      const ingest = reconcile(
        tally.acknowledged,
        stored.map((event) => event.event_id),
      );
      const spooled = server.app.eventWriter.stats.spooledRows;
      printSummary(
        'event store outage',
        `store down ${DOWN_MS / 1000} s of ${(UP_BEFORE_MS + DOWN_MS + UP_AFTER_MS) / 1000} s; ` +
          `${answeredIds.length} gateway calls (${tally.answeredWhileDown} during the outage), failed ${tally.failedCalls.length}; ` +
          `${outage.failedInserts()} inserts refused, ${spooled} rows spooled and replayed; ` +
          `recorded ${occurrences(recorded.map((event) => event.request_id)).size}/${answeredIds.length} calls, ` +
          `lost ${gateway.lost.length + ingest.lost.length}, duplicated ${gateway.duplicated.length + ingest.duplicated.length}; ` +
          `${tally.acknowledged.length} ingested events acknowledged, ${tally.failedBatches.length} batches refused`,
      );
      expect(tally.failedCalls).toEqual([]);
      expect(tally.failedBatches).toEqual([]);
      expect(tally.answeredWhileDown).toBeGreaterThan(0);
      expect(outage.failedInserts()).toBeGreaterThan(0);
      expect(spooled).toBeGreaterThan(0);
      expect(server.app.eventWriter.isSpooling).toBe(false);
      expect(gateway.lost).toEqual([]);
      expect(gateway.duplicated).toEqual([]);
      expect(recorded.length).toBe(answeredIds.length);
      expect(ingest.lost).toEqual([]);
      expect(ingest.duplicated).toEqual([]);
      expect(stored.length).toBe(tally.acknowledged.length);
    } finally {
      await server.close();
      await closeStores(stores);
      dataDir.remove();
    }
  }, 120_000);
});
