import { randomUUID } from 'node:crypto';
import { createClient } from '@clickhouse/client';
import { describe } from 'vitest';
import { ClickHouseDriver } from '../../../src/stores/events/clickhouse';
import { runEventStoreContract } from './event-store-contract';

/**
 * The contract against a real ClickHouse server when `CLICKHOUSE_URL` is set,
 * in a database of its own that is dropped afterwards. Skipped, saying so,
 * without it: the test endpoint covers the driver then. CI has no ClickHouse
 * server (none installs on this machine kind), so TOLLGATE_REQUIRE_SERVICES
 * does not apply here.
 */
const url = process.env.CLICKHOUSE_URL;
const name = 'event store contract: ClickHouse server (CLICKHOUSE_URL)';

if (url) {
  describe(name, () =>
    runEventStoreContract({
      create: async () => {
        const database = `tollgate_test_${randomUUID().replaceAll('-', '')}`;
        const admin = createClient({ url });
        await admin.command({ query: `CREATE DATABASE ${database}` });
        const databaseUrl = new URL(url);
        databaseUrl.pathname = `/${database}`;
        return {
          driver: ClickHouseDriver.open({ url: databaseUrl.toString() }),
          cleanup: async () => {
            await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
            await admin.close();
          },
        };
      },
    }),
  );
} else {
  console.warn(`[skipped] ${name}: set CLICKHOUSE_URL to run it against a real server`);
  describe.skip(`${name} (skipped: CLICKHOUSE_URL not set)`, () =>
    runEventStoreContract({
      create: async () => {
        throw new Error('skipped');
      },
    }));
}
