import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMetaStore, createPgliteMetaStore } from '../../../src/stores/meta';
import { createTempDir } from '../../helpers/temp-dir';
import { runMetaStoreContract } from './meta-store-contract';

runMetaStoreContract({
  kind: 'pglite',
  async create() {
    const directory = createTempDir('tollgate-meta-');
    return {
      open: () => createPgliteMetaStore({ directory: join(directory.path, 'meta') }),
      remove: async () => directory.remove(),
    };
  },
});

describe('createMetaStore without a database URL', () => {
  it('opens PGlite in the directory it is given', async () => {
    const directory = createTempDir('tollgate-meta-');
    try {
      const store = await createMetaStore({ dataDir: join(directory.path, 'meta') });
      expect(store.kind).toBe('pglite');
      await store.migrate();
      await store.close();
      expect(existsSync(join(directory.path, 'meta', 'PG_VERSION'))).toBe(true);
    } finally {
      directory.remove();
    }
  });

  it('says where it looked when the migrations are missing', async () => {
    const directory = createTempDir('tollgate-meta-');
    try {
      await expect(
        createMetaStore({
          dataDir: directory.path,
          migrationsFolder: join(directory.path, 'none'),
        }),
      ).rejects.toThrow(/migrations not found.*none/);
    } finally {
      directory.remove();
    }
  });
});
