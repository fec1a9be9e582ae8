/**
 * Crash safety under mixed traffic: 20 rounds of `kill -9` of a real server
 * process while clients ingest batches and call the gateway. After each
 * restart every acknowledged event is stored exactly once (spool replay adds
 * no duplicates), and every gateway call answered is recorded exactly once:
 * the answer never waits for the store, but each call's event is journaled
 * before its answer ends and the journal is replayed at start.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { createTempDir } from '../helpers/temp-dir';
import { listRunEvents, occurrences, printSummary, reconcile } from './chaos-support';

const ROUNDS = 20;
const INGEST_CLIENTS = 6;
const GATEWAY_CLIENTS = 4;
const BATCH = 20;
const INGEST_RUN = 'chaos-crash-ingest';
const GATEWAY_RUN = 'chaos-crash-gateway';

/** The server of one round; `killing` is set just before the kill, so errors after it are expected. */
interface Crash {
  server: ServerProcess;
  killing: boolean;
}

interface Traffic {
  acknowledged: string[];
  gatewaySent: Set<string>;
  gatewayAnswered: string[];
}

/** Ingestion clients: each posts batches until the server dies under it. */
async function ingestUntilDown(crash: Crash, key: string, traffic: Traffic) {
  const { server } = crash;
  for (;;) {
    const events = Array.from({ length: BATCH }, () => ({
      event_type: 'custom',
      run_id: INGEST_RUN,
      name: 'crash',
    }));
    try {
      const response = await fetch(`${server.url}/api/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(events),
      });
      if (response.status !== 200) throw new Error(`ingest answered ${response.status}`);
      traffic.acknowledged.push(...((await response.json()) as { event_ids: string[] }).event_ids);
    } catch (error) {
      if (crash.killing) return;
      throw error;
    }
  }
}

/** Gateway clients: each calls the simulated provider until the server dies under it. */
async function callGatewayUntilDown(crash: Crash, key: string, traffic: Traffic) {
  const { server } = crash;
  for (let call = 0; ; call += 1) {
    const requestId = `crash-${randomUUID()}`;
    traffic.gatewaySent.add(requestId);
    try {
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'x-request-id': requestId,
          'x-tollgate-run-id': GATEWAY_RUN,
        },
        body: JSON.stringify({
          model: 'simulated/crash',
          stream: call % 2 === 1,
          messages: [{ role: 'user', content: 'Say hello' }],
        }),
      });
      await response.text();
      if (response.status !== 200) throw new Error(`gateway answered ${response.status}`);
      traffic.gatewayAnswered.push(requestId);
    } catch (error) {
      if (crash.killing) return;
      throw error;
    }
  }
}

describe('chaos: crash safety', () => {
  it(`keeps every acknowledged event exactly once across ${ROUNDS} kill -9 during ingestion and gateway traffic`, async () => {
    const dataDir = createTempDir();
    const environment = { TOLLGATE_DATA_DIR: dataDir.path };
    let server = await startServerProcess(environment);
    const key = server.projectKey!;
    const traffic: Traffic = { acknowledged: [], gatewaySent: new Set(), gatewayAnswered: [] };
    let lost = 0;
    let duplicated = 0;
    let gatewayRecorded = 0;
    let storedEvents = 0;
    const started = Date.now();
    try {
      for (let round = 0; round < ROUNDS; round += 1) {
        const before = traffic.acknowledged.length;
        const gatewayBefore = traffic.gatewayAnswered.length;
        const crash: Crash = { server, killing: false };
        const clients = [
          ...Array.from({ length: INGEST_CLIENTS }, () => ingestUntilDown(crash, key, traffic)),
          ...Array.from({ length: GATEWAY_CLIENTS }, () =>
            callGatewayUntilDown(crash, key, traffic),
          ),
        ];
        // Let both kinds of traffic be answered in this round, then crash in the middle of more.
        for (
          let waited = 0;
          (traffic.acknowledged.length === before ||
            traffic.gatewayAnswered.length === gatewayBefore) &&
          waited < 30_000;
          waited += 20
        ) {
          await sleep(20);
        }
        await sleep(200 + ((round * 137) % 600));
        crash.killing = true;
        await server.kill('SIGKILL');
        await Promise.all(clients);
        expect(traffic.acknowledged.length).toBeGreaterThan(before);
        expect(traffic.gatewayAnswered.length).toBeGreaterThan(gatewayBefore);

        server = await startServerProcess(environment);
        const stored = await listRunEvents(server.url, key, INGEST_RUN);
        const ingest = reconcile(
          traffic.acknowledged,
          stored.map((event) => event.event_id),
        );
        const recorded = await listRunEvents(server.url, key, GATEWAY_RUN);
        const perCall = occurrences(recorded.map((event) => event.request_id));
        const recordedTwice = [...perCall.values()].filter((count) => count > 1).length;
        const unknown = [...perCall.keys()].filter((id) => !traffic.gatewaySent.has(id));
        const unrecorded = traffic.gatewayAnswered.filter((id) => !perCall.has(id));
        lost = ingest.lost.length;
        duplicated = ingest.duplicated.length + recordedTwice;
        gatewayRecorded = perCall.size;
        expect(ingest.lost, `round ${round + 1}: acknowledged events lost`).toEqual([]);
        expect(ingest.duplicated, `round ${round + 1}: events stored twice`).toEqual([]);
        expect(recordedTwice, `round ${round + 1}: gateway calls recorded twice`).toBe(0);
        expect(unrecorded, `round ${round + 1}: answered gateway calls unrecorded`).toEqual([]);
        expect(unknown).toEqual([]);
        // More may be stored than acknowledged: batches committed while the kill cut their answer.
        storedEvents = stored.length;
      }
    } finally {
      await server.kill('SIGKILL');
      dataDir.remove();
    }
    printSummary(
      'crash safety',
      `${ROUNDS} kill -9 rounds in ${((Date.now() - started) / 1000).toFixed(0)} s; ` +
        `${traffic.acknowledged.length} ingested events acknowledged, ${storedEvents} stored (the rest committed as the kill cut their answer), lost ${lost}, duplicated ${duplicated}; ` +
        `${traffic.gatewayAnswered.length} gateway calls answered, ${gatewayRecorded} recorded once ` +
        `(more recorded than answered: calls journaled as the kill cut their answer)`,
    );
  }, 900_000);
});
