/**
 * The cross-tenant matrix (cross-tenant-matrix.ts) with the meta store on the
 * Postgres of DATABASE_URL, in a database of its own, where every tenant query
 * runs under row-level security (docs/postgres.md).
 */
import { describeWithService } from '../helpers/services';
import { startTestServer } from '../helpers/test-server';
import { createPostgresTestDatabase } from '../stores/meta/postgres-test-database';
import { crossTenantMatrix } from './cross-tenant-matrix';

describeWithService('DATABASE_URL', 'cross-tenant matrix on Postgres', (adminUrl) => {
  crossTenantMatrix(async () => {
    const database = await createPostgresTestDatabase(adminUrl);
    const server = await startTestServer({ environment: { DATABASE_URL: database.url } });
    if (server.app.stores.meta.kind !== 'postgres')
      throw new Error('the meta store is not Postgres');
    return {
      ...server,
      async close() {
        await server.close();
        await database.drop();
      },
    };
  });
});
