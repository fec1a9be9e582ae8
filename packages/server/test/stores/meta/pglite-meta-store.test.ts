import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMetaStore, createPgliteMetaStore } from '../../../src/stores/meta';
import { openPglite } from '../../../src/stores/meta/pglite/driver';
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

describe('PGlite shared_buffers', () => {
  async function sharedBuffers(directory: string, sharedBuffersMb?: number): Promise<string> {
    const { client } = await openPglite(directory, { sharedBuffersMb });
    try {
      const { rows } = await client.query<{ shared_buffers: string }>('SHOW shared_buffers');
      return rows[0]!.shared_buffers;
    } finally {
      await client.close();
    }
  }

  it('runs with 16 MB by default, the value it is given, or the stock 128 MB, on the same data', async () => {
    const directory = createTempDir('tollgate-meta-');
    const meta = join(directory.path, 'meta');
    try {
      expect(await sharedBuffers(meta)).toBe('16MB');
      const { client } = await openPglite(meta, { sharedBuffersMb: 8 });
      expect((await client.query('SHOW shared_buffers')).rows).toEqual([{ shared_buffers: '8MB' }]);
      await client.exec(
        "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('written with 8MB')",
      );
      await client.close();
      const stock = await openPglite(meta, { sharedBuffersMb: 128 });
      expect((await stock.client.query('SHOW shared_buffers')).rows).toEqual([
        { shared_buffers: '128MB' },
      ]);
      expect((await stock.client.query('SELECT note FROM kept')).rows).toEqual([
        { note: 'written with 8MB' },
      ]);
      await stock.client.close();
    } finally {
      directory.remove();
    }
  }, 180_000);

  it('refuses a value outside 1–128 MB', async () => {
    const directory = createTempDir('tollgate-meta-');
    try {
      for (const sharedBuffersMb of [0, 129, 1.5]) {
        await expect(openPglite(directory.path, { sharedBuffersMb })).rejects.toThrow(
          /sharedBuffersMb must be an integer from 1 to 128/,
        );
      }
    } finally {
      directory.remove();
    }
  });
});
