import type {
  ApiKey,
  GatewayConfigStore,
  MetaStore,
  NewApiKey,
  NewOrganization,
  NewProject,
  Organization,
  Project,
} from '@tollgate/core';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { gatewayConfigQueries } from './gateway-config-queries';
import { createId } from './ids';
import { apiKeys, organizations, projects } from './schema';

/** A Drizzle database over the meta schema, whichever driver (PGlite or node-postgres) runs it. */
export type MetaDatabase = PgDatabase<PgQueryResultHKT>;

/** What a driver supplies: its database, how it applies the migrations and how it shuts down. */
export interface MetaStoreDriver {
  readonly kind: MetaStore['kind'];
  readonly database: MetaDatabase;
  /** Applies pending migrations; must be safe to call again and, for a server, from several processes. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

const organizationColumns = {
  id: organizations.id,
  name: organizations.name,
  plan: organizations.plan,
  retentionDays: organizations.retentionDays,
  createdAt: organizations.createdAt,
};

const projectColumns = {
  id: projects.id,
  orgId: projects.orgId,
  name: projects.name,
  createdAt: projects.createdAt,
};

/** Every column an ApiKey shows; the hash stays in the database. */
const apiKeyColumns = {
  id: apiKeys.id,
  orgId: apiKeys.orgId,
  projectId: apiKeys.projectId,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  scopes: apiKeys.scopes,
  expiresAt: apiKeys.expiresAt,
  revokedAt: apiKeys.revokedAt,
  createdAt: apiKeys.createdAt,
};

/**
 * The meta store, its queries written once over Drizzle's Postgres dialect.
 * Lists are ordered by creation time (then id, for a stable order).
 */
export class DrizzleMetaStore implements MetaStore {
  readonly kind: MetaStore['kind'];
  private readonly database: MetaDatabase;
  /** Runs this instance's migrate() calls one after another (the driver guards other processes). */
  private migration: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;

  private readonly gatewayConfig: GatewayConfigStore;

  constructor(private readonly driver: MetaStoreDriver) {
    this.kind = driver.kind;
    this.database = driver.database;
    this.gatewayConfig = gatewayConfigQueries(this.database);
  }

  migrate(): Promise<void> {
    const run = this.migration.then(() => this.driver.migrate());
    this.migration = run.catch(() => undefined);
    return run;
  }

  async createOrganization(input: NewOrganization): Promise<Organization> {
    const [organization] = await this.database
      .insert(organizations)
      .values({
        id: createId('org'),
        name: input.name,
        plan: input.plan ?? 'free',
        retentionDays: input.retentionDays ?? null,
      })
      .returning(organizationColumns);
    return expectRow(organization, 'organization');
  }

  async getOrganization(id: string): Promise<Organization | undefined> {
    const [organization] = await this.database
      .select(organizationColumns)
      .from(organizations)
      .where(eq(organizations.id, id));
    return organization;
  }

  listOrganizations(): Promise<Organization[]> {
    return this.database
      .select(organizationColumns)
      .from(organizations)
      .orderBy(asc(organizations.createdAt), asc(organizations.id));
  }

  async createProject(input: NewProject): Promise<Project> {
    const [project] = await this.database
      .insert(projects)
      .values({ id: createId('proj'), orgId: input.orgId, name: input.name })
      .returning(projectColumns);
    return expectRow(project, 'project');
  }

  async getProject(id: string): Promise<Project | undefined> {
    const [project] = await this.database
      .select(projectColumns)
      .from(projects)
      .where(eq(projects.id, id));
    return project;
  }

  listProjects(orgId: string): Promise<Project[]> {
    return this.database
      .select(projectColumns)
      .from(projects)
      .where(eq(projects.orgId, orgId))
      .orderBy(asc(projects.createdAt), asc(projects.id));
  }

  async createApiKey(input: NewApiKey): Promise<ApiKey> {
    const [apiKey] = await this.database
      .insert(apiKeys)
      .values({
        id: createId('key'),
        orgId: input.orgId,
        projectId: input.projectId ?? null,
        name: input.name,
        prefix: input.prefix,
        hash: input.hash,
        scopes: input.scopes,
        expiresAt: input.expiresAt ?? null,
      })
      .returning(apiKeyColumns);
    return expectRow(apiKey, 'API key');
  }

  async findApiKeyByHash(hash: string): Promise<ApiKey | undefined> {
    const [apiKey] = await this.database
      .select(apiKeyColumns)
      .from(apiKeys)
      .where(eq(apiKeys.hash, hash));
    return apiKey;
  }

  listApiKeys(orgId: string): Promise<ApiKey[]> {
    return this.database
      .select(apiKeyColumns)
      .from(apiKeys)
      .where(eq(apiKeys.orgId, orgId))
      .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
  }

  /**
   * Revokes the org's key `id`; true when that org has such a key (now revoked).
   * Revoking again keeps the first revocation time. A key of another org is never touched.
   */
  async revokeApiKey(orgId: string, id: string): Promise<boolean> {
    const revoked = await this.database
      .update(apiKeys)
      .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
      .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.id, id)))
      .returning({ id: apiKeys.id });
    return revoked.length > 0;
  }

  listGatewayRoutes: GatewayConfigStore['listGatewayRoutes'] = (orgId) =>
    this.gatewayConfig.listGatewayRoutes(orgId);
  putGatewayRoute: GatewayConfigStore['putGatewayRoute'] = (orgId, model, config) =>
    this.gatewayConfig.putGatewayRoute(orgId, model, config);
  deleteGatewayRoute: GatewayConfigStore['deleteGatewayRoute'] = (orgId, model) =>
    this.gatewayConfig.deleteGatewayRoute(orgId, model);
  putProviderCredential: GatewayConfigStore['putProviderCredential'] = (input) =>
    this.gatewayConfig.putProviderCredential(input);
  listProviderCredentials: GatewayConfigStore['listProviderCredentials'] = (orgId) =>
    this.gatewayConfig.listProviderCredentials(orgId);
  getProviderCredentialCiphertext: GatewayConfigStore['getProviderCredentialCiphertext'] = (
    orgId,
    name,
  ) => this.gatewayConfig.getProviderCredentialCiphertext(orgId, name);
  deleteProviderCredential: GatewayConfigStore['deleteProviderCredential'] = (orgId, name) =>
    this.gatewayConfig.deleteProviderCredential(orgId, name);

  async ping(): Promise<void> {
    await this.database.execute(sql`select 1`);
  }

  /** Closes the connection; calling it again waits for the same close. */
  close(): Promise<void> {
    this.closing ??= this.driver.close();
    return this.closing;
  }
}

function expectRow<Row>(row: Row | undefined, what: string): Row {
  if (row === undefined) throw new Error(`The meta store returned no ${what} row after an insert`);
  return row;
}
