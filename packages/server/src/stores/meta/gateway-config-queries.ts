import type {
  GatewayConfigStore,
  GatewayRouteRecord,
  NewProviderCredential,
  ProviderCredential,
} from '@tollgate/core';
import { and, asc, eq } from 'drizzle-orm';
import type { MetaDatabase } from './meta-database';
import { createId } from './ids';
import { gatewayRoutes, providerCredentials } from './schema';

const credentialColumns = {
  id: providerCredentials.id,
  orgId: providerCredentials.orgId,
  name: providerCredentials.name,
  provider: providerCredentials.provider,
  createdAt: providerCredentials.createdAt,
};

/** Gateway routes and provider credentials, every query scoped to one organization. */
export function gatewayConfigQueries(database: MetaDatabase): GatewayConfigStore {
  return {
    listGatewayRoutes(orgId) {
      return database
        .select()
        .from(gatewayRoutes)
        .where(eq(gatewayRoutes.orgId, orgId))
        .orderBy(asc(gatewayRoutes.model)) as Promise<GatewayRouteRecord[]>;
    },

    async putGatewayRoute(orgId, model, config) {
      const [route] = await database
        .insert(gatewayRoutes)
        .values({ orgId, model, config })
        .onConflictDoUpdate({
          target: [gatewayRoutes.orgId, gatewayRoutes.model],
          set: { config, updatedAt: new Date() },
        })
        .returning();
      return route as GatewayRouteRecord;
    },

    async deleteGatewayRoute(orgId, model) {
      const deleted = await database
        .delete(gatewayRoutes)
        .where(and(eq(gatewayRoutes.orgId, orgId), eq(gatewayRoutes.model, model)))
        .returning({ model: gatewayRoutes.model });
      return deleted.length > 0;
    },

    async putProviderCredential(input: NewProviderCredential): Promise<ProviderCredential> {
      const [credential] = await database
        .insert(providerCredentials)
        .values({ id: createId('cred'), ...input })
        .onConflictDoUpdate({
          target: [providerCredentials.orgId, providerCredentials.name],
          set: { provider: input.provider, ciphertext: input.ciphertext },
        })
        .returning(credentialColumns);
      return credential!;
    },

    listProviderCredentials(orgId) {
      return database
        .select(credentialColumns)
        .from(providerCredentials)
        .where(eq(providerCredentials.orgId, orgId))
        .orderBy(asc(providerCredentials.name));
    },

    async getProviderCredentialCiphertext(orgId, name) {
      const [credential] = await database
        .select({
          provider: providerCredentials.provider,
          ciphertext: providerCredentials.ciphertext,
        })
        .from(providerCredentials)
        .where(and(eq(providerCredentials.orgId, orgId), eq(providerCredentials.name, name)));
      return credential;
    },

    async deleteProviderCredential(orgId, name) {
      const deleted = await database
        .delete(providerCredentials)
        .where(and(eq(providerCredentials.orgId, orgId), eq(providerCredentials.name, name)))
        .returning({ id: providerCredentials.id });
      return deleted.length > 0;
    },
  };
}
