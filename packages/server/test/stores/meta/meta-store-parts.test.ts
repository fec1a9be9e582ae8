import { join } from 'node:path';
import { createPgliteMetaStore, createPostgresMetaStore } from '../../../src/stores/meta';
import { describeWithService } from '../../helpers/services';
import { createTempDir } from '../../helpers/temp-dir';
import { runAlertRuleStoreContract } from './alert-rule-store-contract';
import type { MetaStoreContractOptions } from './meta-store-contract';
import { runPolicyStoreContract } from './policy-store-contract';
import { createPostgresTestDatabase } from './postgres-test-database';
import { runPromptStoreContract } from './prompt-store-contract';
import { runVideoJobStoreContract } from './video-job-store-contract';

/** The meta store's parts with contracts of their own, each run on PGlite and on Postgres. */
const contracts = [
  runPromptStoreContract,
  runPolicyStoreContract,
  runAlertRuleStoreContract,
  runVideoJobStoreContract,
];

const pglite: MetaStoreContractOptions = {
  kind: 'pglite',
  async create() {
    const directory = createTempDir('tollgate-meta-parts-');
    return {
      open: () => createPgliteMetaStore({ directory: join(directory.path, 'meta') }),
      remove: async () => directory.remove(),
    };
  },
};
for (const contract of contracts) contract(pglite);

describeWithService('DATABASE_URL', 'Postgres meta store parts', (adminUrl) => {
  const postgres: MetaStoreContractOptions = {
    kind: 'postgres',
    async create() {
      const database = await createPostgresTestDatabase(adminUrl);
      return {
        open: async () => createPostgresMetaStore({ databaseUrl: database.url }),
        remove: () => database.drop(),
      };
    },
  };
  for (const contract of contracts) contract(postgres);
});
