import type {
  AlertRuleStore,
  ApiKey,
  BudgetStore,
  DeadLetterStore,
  GatewayConfigStore,
  TenantAdminStore,
  MetaStore,
  NewApiKey,
  NewOrganization,
  NewProject,
  Organization,
  PolicyStore,
  Project,
  PromptStore,
  SecretStore,
  VideoJobStore,
} from '@tollgate/core';
import { and, asc, eq, sql } from 'drizzle-orm';
import { alertRuleQueries } from './alert-rule-queries';
import { gatewayConfigQueries } from './gateway-config-queries';
import type { MetaDatabase } from './meta-database';

export type { MetaDatabase } from './meta-database';
import { createId } from './ids';
import { apiKeys, organizations, projects } from './schema';
import { budgetQueries } from './budget-queries';
import { deadLetterQueries } from './dead-letter-queries';
import { policyQueries } from './policy-queries';
import { promptQueries } from './prompt-queries';
import { asSystem, asTenant } from './row-security';
import { tenantAdminQueries } from './tenant-admin-queries';
import { videoJobQueries } from './video-job-queries';
import { secretQueries } from './secret-queries';
import {
  apiKeyColumns,
  expectRow,
  organizationColumns,
  projectColumns,
  rateLimitValues,
  toApiKey,
  toOrganization,
  toProject,
} from './tenant-rows';

/** What a driver supplies: its database, how it applies the migrations and how it shuts down. */
export interface MetaStoreDriver {
  readonly kind: MetaStore['kind'];
  readonly database: MetaDatabase;
  /** Applies pending migrations; must be safe to call again and, for a server, from several processes. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

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

  constructor(private readonly driver: MetaStoreDriver) {
    this.kind = driver.kind;
    this.database = driver.database;
  }

  /** The caller's org (and project): see row-security.ts. */
  private tenant<T>(
    orgId: string,
    work: (database: MetaDatabase) => Promise<T>,
    projectId?: string,
  ): Promise<T> {
    return asTenant(this.database, { orgId, projectId }, work);
  }

  /** Every org: only for SYSTEM_OPERATIONS (row-security.ts). */
  private system<T>(work: (database: MetaDatabase) => Promise<T>): Promise<T> {
    return asSystem(this.database, work);
  }

  migrate(): Promise<void> {
    const run = this.migration.then(() => this.driver.migrate());
    this.migration = run.catch(() => undefined);
    return run;
  }

  createOrganization(input: NewOrganization): Promise<Organization> {
    // The new org's id is known before the insert, so the insert runs within it.
    const id = createId('org');
    return this.tenant(id, async (database) => {
      const [organization] = await database
        .insert(organizations)
        .values({
          id,
          name: input.name,
          plan: input.plan ?? 'free',
          retentionDays: input.retentionDays ?? null,
          chargebackRate: input.chargebackRate ?? null,
          priceOverrides: input.priceOverrides ?? null,
          operator: input.operator ?? false,
          ...rateLimitValues(input.rateLimits),
        })
        .returning(organizationColumns);
      return toOrganization(expectRow(organization, 'organization'));
    });
  }

  getOrganization(id: string): Promise<Organization | undefined> {
    return this.tenant(id, async (database) => {
      const [organization] = await database
        .select(organizationColumns)
        .from(organizations)
        .where(eq(organizations.id, id));
      return organization && toOrganization(organization);
    });
  }

  listOrganizations(): Promise<Organization[]> {
    return this.system(async (database) => {
      const rows = await database
        .select(organizationColumns)
        .from(organizations)
        .orderBy(asc(organizations.createdAt), asc(organizations.id));
      return rows.map(toOrganization);
    });
  }

  createProject(input: NewProject): Promise<Project> {
    return this.tenant(input.orgId, async (database) => {
      const [project] = await database
        .insert(projects)
        .values({
          id: createId('proj'),
          orgId: input.orgId,
          name: input.name,
          contentStorage: input.contentStorage ?? true,
          piiRedaction: input.piiRedaction ?? false,
          contentEncryption: input.contentEncryption ?? false,
          ...rateLimitValues(input.rateLimits),
        })
        .returning(projectColumns);
      return toProject(expectRow(project, 'project'));
    });
  }

  getProject(id: string): Promise<Project | undefined> {
    return this.system(async (database) => {
      const [project] = await database
        .select(projectColumns)
        .from(projects)
        .where(eq(projects.id, id));
      return project && toProject(project);
    });
  }

  listProjects(orgId: string): Promise<Project[]> {
    return this.tenant(orgId, async (database) => {
      const rows = await database
        .select(projectColumns)
        .from(projects)
        .where(eq(projects.orgId, orgId))
        .orderBy(asc(projects.createdAt), asc(projects.id));
      return rows.map(toProject);
    });
  }

  createApiKey(input: NewApiKey): Promise<ApiKey> {
    return this.tenant(input.orgId, async (database) => {
      const [apiKey] = await database
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
          ...rateLimitValues(input.rateLimits),
        })
        .returning(apiKeyColumns);
      return toApiKey(expectRow(apiKey, 'API key'));
    });
  }

  findApiKeyByHash(hash: string): Promise<ApiKey | undefined> {
    return this.system(async (database) => {
      const [apiKey] = await database
        .select(apiKeyColumns)
        .from(apiKeys)
        .where(eq(apiKeys.hash, hash));
      return apiKey && toApiKey(apiKey);
    });
  }

  listApiKeys(orgId: string): Promise<ApiKey[]> {
    return this.tenant(orgId, async (database) => {
      const rows = await database
        .select(apiKeyColumns)
        .from(apiKeys)
        .where(eq(apiKeys.orgId, orgId))
        .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
      return rows.map(toApiKey);
    });
  }

  /**
   * Revokes the org's key `id`; true when that org has such a key (now revoked).
   * Revoking again keeps the first revocation time. A key of another org is never touched.
   */
  revokeApiKey(orgId: string, id: string): Promise<boolean> {
    return this.tenant(orgId, async (database) => {
      const revoked = await database
        .update(apiKeys)
        .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
        .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.id, id)))
        .returning({ id: apiKeys.id });
      return revoked.length > 0;
    });
  }

  listGatewayRoutes: GatewayConfigStore['listGatewayRoutes'] = (orgId) =>
    this.tenant(orgId, (database) => gatewayConfigQueries(database).listGatewayRoutes(orgId));
  putGatewayRoute: GatewayConfigStore['putGatewayRoute'] = (orgId, model, config) =>
    this.tenant(orgId, (database) =>
      gatewayConfigQueries(database).putGatewayRoute(orgId, model, config),
    );
  deleteGatewayRoute: GatewayConfigStore['deleteGatewayRoute'] = (orgId, model) =>
    this.tenant(orgId, (database) =>
      gatewayConfigQueries(database).deleteGatewayRoute(orgId, model),
    );
  putProviderCredential: GatewayConfigStore['putProviderCredential'] = (input) =>
    this.tenant(input.orgId, (database) =>
      gatewayConfigQueries(database).putProviderCredential(input),
    );
  listProviderCredentials: GatewayConfigStore['listProviderCredentials'] = (orgId) =>
    this.tenant(orgId, (database) => gatewayConfigQueries(database).listProviderCredentials(orgId));
  getProviderCredentialCiphertext: GatewayConfigStore['getProviderCredentialCiphertext'] = (
    orgId,
    name,
  ) =>
    this.tenant(orgId, (database) =>
      gatewayConfigQueries(database).getProviderCredentialCiphertext(orgId, name),
    );
  deleteProviderCredential: GatewayConfigStore['deleteProviderCredential'] = (orgId, name) =>
    this.tenant(orgId, (database) =>
      gatewayConfigQueries(database).deleteProviderCredential(orgId, name),
    );

  updateOrganization: TenantAdminStore['updateOrganization'] = (id, changes) =>
    this.tenant(id, (database) => tenantAdminQueries(database).updateOrganization(id, changes));
  deleteOrganization: TenantAdminStore['deleteOrganization'] = (id) =>
    this.tenant(id, (database) => tenantAdminQueries(database).deleteOrganization(id));
  updateProject: TenantAdminStore['updateProject'] = (orgId, id, changes) =>
    this.tenant(
      orgId,
      (database) => tenantAdminQueries(database).updateProject(orgId, id, changes),
      id,
    );
  deleteProject: TenantAdminStore['deleteProject'] = (orgId, id) =>
    this.tenant(orgId, (database) => tenantAdminQueries(database).deleteProject(orgId, id), id);
  getApiKey: TenantAdminStore['getApiKey'] = (orgId, id) =>
    this.tenant(orgId, (database) => tenantAdminQueries(database).getApiKey(orgId, id));
  appendAuditEntry: TenantAdminStore['appendAuditEntry'] = (entry) =>
    this.tenant(entry.orgId, (database) => tenantAdminQueries(database).appendAuditEntry(entry));
  listAuditEntries: TenantAdminStore['listAuditEntries'] = (orgId, options) =>
    this.tenant(orgId, (database) => tenantAdminQueries(database).listAuditEntries(orgId, options));

  createPrompt: PromptStore['createPrompt'] = (scope, name, first) =>
    this.tenant(
      scope.orgId,
      (database) => promptQueries(database).createPrompt(scope, name, first),
      scope.projectId,
    );
  addPromptVersion: PromptStore['addPromptVersion'] = (scope, name, version) =>
    this.tenant(
      scope.orgId,
      (database) => promptQueries(database).addPromptVersion(scope, name, version),
      scope.projectId,
    );
  listPrompts: PromptStore['listPrompts'] = (scope) =>
    this.tenant(
      scope.orgId,
      (database) => promptQueries(database).listPrompts(scope),
      scope.projectId,
    );
  getPrompt: PromptStore['getPrompt'] = (scope, name) =>
    this.tenant(
      scope.orgId,
      (database) => promptQueries(database).getPrompt(scope, name),
      scope.projectId,
    );
  setPromptWeights: PromptStore['setPromptWeights'] = (scope, name, weights) =>
    this.tenant(
      scope.orgId,
      (database) => promptQueries(database).setPromptWeights(scope, name, weights),
      scope.projectId,
    );

  createBudget: BudgetStore['createBudget'] = (input) =>
    this.tenant(input.orgId, (database) => budgetQueries(database).createBudget(input));
  getBudget: BudgetStore['getBudget'] = (orgId, id) =>
    this.tenant(orgId, (database) => budgetQueries(database).getBudget(orgId, id));
  listBudgets: BudgetStore['listBudgets'] = (orgId) =>
    this.tenant(orgId, (database) => budgetQueries(database).listBudgets(orgId));
  listAllBudgets: BudgetStore['listAllBudgets'] = () =>
    this.system((database) => budgetQueries(database).listAllBudgets());
  updateBudget: BudgetStore['updateBudget'] = (orgId, id, changes) =>
    this.tenant(orgId, (database) => budgetQueries(database).updateBudget(orgId, id, changes));
  deleteBudget: BudgetStore['deleteBudget'] = (orgId, id) =>
    this.tenant(orgId, (database) => budgetQueries(database).deleteBudget(orgId, id));

  listAlertRules: AlertRuleStore['listAlertRules'] = (orgId) =>
    this.tenant(orgId, (database) => alertRuleQueries(database).listAlertRules(orgId));
  listEnabledAlertRules: AlertRuleStore['listEnabledAlertRules'] = () =>
    this.system((database) => alertRuleQueries(database).listEnabledAlertRules());
  getAlertRule: AlertRuleStore['getAlertRule'] = (orgId, id) =>
    this.tenant(orgId, (database) => alertRuleQueries(database).getAlertRule(orgId, id));
  createAlertRule: AlertRuleStore['createAlertRule'] = (input) =>
    this.tenant(input.orgId, (database) => alertRuleQueries(database).createAlertRule(input));
  updateAlertRule: AlertRuleStore['updateAlertRule'] = (orgId, id, changes) =>
    this.tenant(orgId, (database) =>
      alertRuleQueries(database).updateAlertRule(orgId, id, changes),
    );
  deleteAlertRule: AlertRuleStore['deleteAlertRule'] = (orgId, id) =>
    this.tenant(orgId, (database) => alertRuleQueries(database).deleteAlertRule(orgId, id));

  listFlags: PolicyStore['listFlags'] = (orgId) =>
    this.tenant(orgId, (database) => policyQueries(database).listFlags(orgId));
  getFlag: PolicyStore['getFlag'] = (orgId, name) =>
    this.tenant(orgId, (database) => policyQueries(database).getFlag(orgId, name));
  putFlag: PolicyStore['putFlag'] = (orgId, name, changes) =>
    this.tenant(orgId, (database) => policyQueries(database).putFlag(orgId, name, changes));
  deleteFlag: PolicyStore['deleteFlag'] = (orgId, name) =>
    this.tenant(orgId, (database) => policyQueries(database).deleteFlag(orgId, name));
  listGuardrailReferences: PolicyStore['listGuardrailReferences'] = (orgId, projectId) =>
    this.tenant(
      orgId,
      (database) => policyQueries(database).listGuardrailReferences(orgId, projectId),
      projectId,
    );
  createGuardrailReference: PolicyStore['createGuardrailReference'] = (input) =>
    this.tenant(
      input.orgId,
      (database) => policyQueries(database).createGuardrailReference(input),
      input.projectId,
    );
  deleteGuardrailReference: PolicyStore['deleteGuardrailReference'] = (orgId, id) =>
    this.tenant(orgId, (database) => policyQueries(database).deleteGuardrailReference(orgId, id));
  appendRetentionRun: PolicyStore['appendRetentionRun'] = (run) =>
    this.tenant(run.orgId, (database) => policyQueries(database).appendRetentionRun(run));
  listRetentionRuns: PolicyStore['listRetentionRuns'] = (orgId, limit) =>
    this.tenant(orgId, (database) => policyQueries(database).listRetentionRuns(orgId, limit));

  addDeadLetters: DeadLetterStore['addDeadLetters'] = (letters) =>
    this.system((database) => deadLetterQueries(database).addDeadLetters(letters));
  listDeadLetters: DeadLetterStore['listDeadLetters'] = (orgId, page) =>
    this.tenant(orgId, (database) => deadLetterQueries(database).listDeadLetters(orgId, page));
  createVideoJob: VideoJobStore['createVideoJob'] = (job) =>
    this.tenant(job.orgId, (database) => videoJobQueries(database).createVideoJob(job));
  getVideoJob: VideoJobStore['getVideoJob'] = (scope, id) =>
    this.tenant(scope.orgId, (database) => videoJobQueries(database).getVideoJob(scope, id));
  claimVideoJobs: VideoJobStore['claimVideoJobs'] = (owner, now, leaseMs, limit) =>
    this.system((database) => videoJobQueries(database).claimVideoJobs(owner, now, leaseMs, limit));
  updateVideoJob: VideoJobStore['updateVideoJob'] = (job, owner, update) =>
    this.system((database) => videoJobQueries(database).updateVideoJob(job, owner, update));
  nextVideoPollAt: VideoJobStore['nextVideoPollAt'] = () =>
    this.system((database) => videoJobQueries(database).nextVideoPollAt());

  listContentKeys: SecretStore['listContentKeys'] = (orgId) =>
    this.tenant(orgId, (database) => secretQueries(database).listContentKeys(orgId));
  createContentKey: SecretStore['createContentKey'] = (record) =>
    this.tenant(record.orgId, (database) => secretQueries(database).createContentKey(record));
  listAllSecrets: SecretStore['listAllSecrets'] = () =>
    this.system((database) => secretQueries(database).listAllSecrets());
  rewrapSecrets: SecretStore['rewrapSecrets'] = (secrets) =>
    this.system((database) => secretQueries(database).rewrapSecrets(secrets));

  async ping(): Promise<void> {
    await this.database.execute(sql`select 1`);
  }

  /** Closes the connection; calling it again waits for the same close. */
  close(): Promise<void> {
    this.closing ??= this.driver.close();
    return this.closing;
  }
}
