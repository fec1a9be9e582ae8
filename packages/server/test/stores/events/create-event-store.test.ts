import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createEventStore, isEventStoreError } from '../../../src/stores/events';
import { createTempDir } from '../../helpers/temp-dir';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 1;
}

describe('createEventStore', () => {
  const directory = createTempDir('tollgate-events-');
  afterAll(() => directory.remove());

  it('opens the embedded chDB store without a ClickHouse URL', async () => {
    const store = await createEventStore({ dataDir: directory.path });
    expect(store.kind).toBe('chdb');
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
  });

  it('opens the ClickHouse server store with a URL, and reports an unreachable server as retryable', async () => {
    const store = await createEventStore({
      clickhouseUrl: `http://127.0.0.1:${await closedPort()}`,
      dataDir: directory.path,
    });
    expect(store.kind).toBe('clickhouse');
    await expect(store.ping()).rejects.toSatisfy(
      (error) => isEventStoreError(error) && error.code === 'store_unavailable' && error.retryable,
    );
    await store.close();
  });
});
