import type { SecretStore } from '@tollgate/core';
import { and, asc, eq } from 'drizzle-orm';
import { contentKeys } from './content-key-schema';
import type { MetaDatabase } from './meta-database';
import { providerCredentials } from './schema';

/** Content data keys and, for the master key's rotation, every sealed secret (see `SecretStore`). */
export function secretQueries(database: MetaDatabase): SecretStore {
  return {
    listContentKeys(orgId) {
      return database
        .select()
        .from(contentKeys)
        .where(eq(contentKeys.orgId, orgId))
        .orderBy(asc(contentKeys.createdAt), asc(contentKeys.id));
    },

    async createContentKey(record) {
      const [created] = await database
        .insert(contentKeys)
        .values(record)
        .onConflictDoNothing({ target: contentKeys.orgId })
        .returning();
      if (created) return created;
      const [existing] = await database
        .select()
        .from(contentKeys)
        .where(eq(contentKeys.orgId, record.orgId));
      if (!existing) throw new Error(`content key of org ${record.orgId} vanished while created`);
      return existing;
    },

    async listAllSecrets() {
      const [keys, credentials] = [
        await database.select().from(contentKeys).orderBy(asc(contentKeys.id)),
        await database
          .select({
            id: providerCredentials.id,
            orgId: providerCredentials.orgId,
            name: providerCredentials.name,
            ciphertext: providerCredentials.ciphertext,
          })
          .from(providerCredentials)
          .orderBy(asc(providerCredentials.id)),
      ];
      return { contentKeys: keys, credentials };
    },

    async rewrapSecrets(secrets) {
      // Callers run this in one transaction (the store's system role): all or none.
      for (const key of secrets.contentKeys) {
        await database
          .update(contentKeys)
          .set({ wrappedKey: key.wrappedKey, masterKeyId: key.masterKeyId })
          .where(and(eq(contentKeys.orgId, key.orgId), eq(contentKeys.id, key.id)));
      }
      for (const credential of secrets.credentials) {
        await database
          .update(providerCredentials)
          .set({ ciphertext: credential.ciphertext })
          .where(
            and(
              eq(providerCredentials.orgId, credential.orgId),
              eq(providerCredentials.id, credential.id),
            ),
          );
      }
    },
  };
}
