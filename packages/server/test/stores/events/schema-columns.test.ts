import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbDriver } from '../../../src/stores/events/chdb';
import { ClickHouseEventStore } from '../../../src/stores/events/clickhouse-event-store';
import { createTempDir } from '../../helpers/temp-dir';

/**
 * The released migrations are frozen SQL, not built from the event model, so
 * start-up checks that the table they made holds every column of the model.
 */
describe('the events table against the event model', () => {
  const directory = createTempDir('tollgate-schema-columns-');
  let driver: ChdbDriver;
  let store: ClickHouseEventStore;

  beforeAll(() => {
    driver = ChdbDriver.open(directory.path);
    store = new ClickHouseEventStore(driver);
  });

  afterAll(async () => {
    await store?.close();
    directory.remove();
  });

  it('matches after the frozen migrations ran on a new store', async () => {
    const result = await store.migrate();
    expect(result.from).toBe(0);
  });

  it('stops the start, naming the column, when a column of the model is missing or retyped', async () => {
    await driver.command('ALTER TABLE events DROP COLUMN cost_source');
    await driver.command('ALTER TABLE events MODIFY COLUMN attempts UInt32');
    const failure = store.migrate();
    await expect(failure).rejects.toThrow(/cost_source is missing/);
    await expect(failure).rejects.toThrow(/attempts is UInt32 \(expected UInt16\)/);
  });
});
