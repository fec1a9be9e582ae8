import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createMetaStore, createPostgresMetaStore } from '../../../src/stores/meta';
import { describeWithService } from '../../helpers/services';
import { runMetaStoreContract } from './meta-store-contract';
import { createPostgresTestDatabase, type PostgresTestDatabase } from './postgres-test-database';

describeWithService('DATABASE_URL', 'Postgres meta store', (adminUrl) => {
  runMetaStoreContract({
    kind: 'postgres',
    async create() {
      const database = await createPostgresTestDatabase(adminUrl);
      return {
        open: async () => createPostgresMetaStore({ databaseUrl: database.url }),
        remove: () => database.drop(),
      };
    },
  });

  describe('migrations from several processes', () => {
    let database: PostgresTestDatabase;

    beforeAll(async () => {
      database = await createPostgresTestDatabase(adminUrl);
    });

    afterAll(async () => {
      await database?.drop();
    });

    it('succeed when replicas migrate a fresh database at the same time', async () => {
      // Each store has its own pool, as separate server processes would.
      const replicas = Array.from({ length: 6 }, () =>
        createPostgresMetaStore({ databaseUrl: database.url }),
      );
      try {
        const results = await Promise.allSettled(replicas.map((replica) => replica.migrate()));
        expect(results.map((result) => result.status)).toEqual(replicas.map(() => 'fulfilled'));
        const [first, second] = replicas;
        const organization = await first!.createOrganization({ name: 'Acme' });
        expect(await second!.getOrganization(organization.id)).toEqual(organization);
      } finally {
        await Promise.all(replicas.map((replica) => replica.close()));
      }

      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const applied = await client.query('select hash from drizzle.__drizzle_migrations');
        const hashes = applied.rows.map((row: { hash: string }) => row.hash);
        expect(hashes.length).toBeGreaterThan(0);
        expect(new Set(hashes).size).toBe(hashes.length);
      } finally {
        await client.end();
      }
    });
  });

  describe('createMetaStore with a database URL', () => {
    it('opens Postgres, not PGlite', async () => {
      const database = await createPostgresTestDatabase(adminUrl);
      const store = await createMetaStore({ databaseUrl: database.url, dataDir: '/nonexistent' });
      try {
        expect(store.kind).toBe('postgres');
        await store.migrate();
        await store.ping();
      } finally {
        await store.close();
        await database.drop();
      }
    });
  });
});

describe('Postgres meta store with no server', () => {
  it('fails a call instead of hanging', async () => {
    const store = createPostgresMetaStore({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none' });
    try {
      await expect(store.ping()).rejects.toThrow();
    } finally {
      await store.close();
    }
  });
});
