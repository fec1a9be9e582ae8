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
import { tenantAdminQueries } from './tenant-admin-queries';
import { videoJobQueries } from './video-job-queries';
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

  private readonly gatewayConfig: GatewayConfigStore;
  private readonly alertRules: AlertRuleStore;
  private readonly tenantAdmin: TenantAdminStore;
  private readonly prompts: PromptStore;
  private readonly budgets: BudgetStore;
  private readonly policies: PolicyStore;
  private readonly deadLetters: DeadLetterStore;
  private readonly videoJobs: VideoJobStore;

  constructor(private readonly driver: MetaStoreDriver) {
    this.kind = driver.kind;
    this.database = driver.database;
    this.gatewayConfig = gatewayConfigQueries(this.database);
    this.alertRules = alertRuleQueries(this.database);
    this.tenantAdmin = tenantAdminQueries(this.database);
    this.prompts = promptQueries(this.database);
    this.budgets = budgetQueries(this.database);
    this.policies = policyQueries(this.database);
    this.deadLetters = deadLetterQueries(this.database);
    this.videoJobs = videoJobQueries(this.database);
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
        chargebackRate: input.chargebackRate ?? null,
        priceOverrides: input.priceOverrides ?? null,
        operator: input.operator ?? false,
        ...rateLimitValues(input.rateLimits),
      })
      .returning(organizationColumns);
    return toOrganization(expectRow(organization, 'organization'));
  }

  async getOrganization(id: string): Promise<Organization | undefined> {
    const [organization] = await this.database
      .select(organizationColumns)
      .from(organizations)
      .where(eq(organizations.id, id));
    return organization && toOrganization(organization);
  }

  async listOrganizations(): Promise<Organization[]> {
    const rows = await this.database
      .select(organizationColumns)
      .from(organizations)
      .orderBy(asc(organizations.createdAt), asc(organizations.id));
    return rows.map(toOrganization);
  }

  async createProject(input: NewProject): Promise<Project> {
    const [project] = await this.database
      .insert(projects)
      .values({
        id: createId('proj'),
        orgId: input.orgId,
        name: input.name,
        contentStorage: input.contentStorage ?? true,
        piiRedaction: input.piiRedaction ?? false,
        ...rateLimitValues(input.rateLimits),
      })
      .returning(projectColumns);
    return toProject(expectRow(project, 'project'));
  }

  async getProject(id: string): Promise<Project | undefined> {
    const [project] = await this.database
      .select(projectColumns)
      .from(projects)
      .where(eq(projects.id, id));
    return project && toProject(project);
  }

  async listProjects(orgId: string): Promise<Project[]> {
    const rows = await this.database
      .select(projectColumns)
      .from(projects)
      .where(eq(projects.orgId, orgId))
      .orderBy(asc(projects.createdAt), asc(projects.id));
    return rows.map(toProject);
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
        ...rateLimitValues(input.rateLimits),
      })
      .returning(apiKeyColumns);
    return toApiKey(expectRow(apiKey, 'API key'));
  }

  async findApiKeyByHash(hash: string): Promise<ApiKey | undefined> {
    const [apiKey] = await this.database
      .select(apiKeyColumns)
      .from(apiKeys)
      .where(eq(apiKeys.hash, hash));
    return apiKey && toApiKey(apiKey);
  }

  async listApiKeys(orgId: string): Promise<ApiKey[]> {
    const rows = await this.database
      .select(apiKeyColumns)
      .from(apiKeys)
      .where(eq(apiKeys.orgId, orgId))
      .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
    return rows.map(toApiKey);
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

  updateOrganization: TenantAdminStore['updateOrganization'] = (id, changes) =>
    this.tenantAdmin.updateOrganization(id, changes);
  deleteOrganization: TenantAdminStore['deleteOrganization'] = (id) =>
    this.tenantAdmin.deleteOrganization(id);
  updateProject: TenantAdminStore['updateProject'] = (orgId, id, changes) =>
    this.tenantAdmin.updateProject(orgId, id, changes);
  deleteProject: TenantAdminStore['deleteProject'] = (orgId, id) =>
    this.tenantAdmin.deleteProject(orgId, id);
  getApiKey: TenantAdminStore['getApiKey'] = (orgId, id) => this.tenantAdmin.getApiKey(orgId, id);
  appendAuditEntry: TenantAdminStore['appendAuditEntry'] = (entry) =>
    this.tenantAdmin.appendAuditEntry(entry);
  listAuditEntries: TenantAdminStore['listAuditEntries'] = (orgId, options) =>
    this.tenantAdmin.listAuditEntries(orgId, options);

  createPrompt: PromptStore['createPrompt'] = (scope, name, first) =>
    this.prompts.createPrompt(scope, name, first);
  addPromptVersion: PromptStore['addPromptVersion'] = (scope, name, version) =>
    this.prompts.addPromptVersion(scope, name, version);
  listPrompts: PromptStore['listPrompts'] = (scope) => this.prompts.listPrompts(scope);
  getPrompt: PromptStore['getPrompt'] = (scope, name) => this.prompts.getPrompt(scope, name);
  setPromptWeights: PromptStore['setPromptWeights'] = (scope, name, weights) =>
    this.prompts.setPromptWeights(scope, name, weights);

  createBudget: BudgetStore['createBudget'] = (input) => this.budgets.createBudget(input);
  getBudget: BudgetStore['getBudget'] = (orgId, id) => this.budgets.getBudget(orgId, id);
  listBudgets: BudgetStore['listBudgets'] = (orgId) => this.budgets.listBudgets(orgId);
  listAllBudgets: BudgetStore['listAllBudgets'] = () => this.budgets.listAllBudgets();
  updateBudget: BudgetStore['updateBudget'] = (orgId, id, changes) =>
    this.budgets.updateBudget(orgId, id, changes);
  deleteBudget: BudgetStore['deleteBudget'] = (orgId, id) => this.budgets.deleteBudget(orgId, id);

  listAlertRules: AlertRuleStore['listAlertRules'] = (orgId) =>
    this.alertRules.listAlertRules(orgId);
  listEnabledAlertRules: AlertRuleStore['listEnabledAlertRules'] = () =>
    this.alertRules.listEnabledAlertRules();
  getAlertRule: AlertRuleStore['getAlertRule'] = (orgId, id) =>
    this.alertRules.getAlertRule(orgId, id);
  createAlertRule: AlertRuleStore['createAlertRule'] = (input) =>
    this.alertRules.createAlertRule(input);
  updateAlertRule: AlertRuleStore['updateAlertRule'] = (orgId, id, changes) =>
    this.alertRules.updateAlertRule(orgId, id, changes);
  deleteAlertRule: AlertRuleStore['deleteAlertRule'] = (orgId, id) =>
    this.alertRules.deleteAlertRule(orgId, id);

  listFlags: PolicyStore['listFlags'] = (orgId) => this.policies.listFlags(orgId);
  getFlag: PolicyStore['getFlag'] = (orgId, name) => this.policies.getFlag(orgId, name);
  putFlag: PolicyStore['putFlag'] = (orgId, name, changes) =>
    this.policies.putFlag(orgId, name, changes);
  deleteFlag: PolicyStore['deleteFlag'] = (orgId, name) => this.policies.deleteFlag(orgId, name);
  listGuardrailReferences: PolicyStore['listGuardrailReferences'] = (orgId, projectId) =>
    this.policies.listGuardrailReferences(orgId, projectId);
  createGuardrailReference: PolicyStore['createGuardrailReference'] = (input) =>
    this.policies.createGuardrailReference(input);
  deleteGuardrailReference: PolicyStore['deleteGuardrailReference'] = (orgId, id) =>
    this.policies.deleteGuardrailReference(orgId, id);
  appendRetentionRun: PolicyStore['appendRetentionRun'] = (run) =>
    this.policies.appendRetentionRun(run);
  listRetentionRuns: PolicyStore['listRetentionRuns'] = (orgId, limit) =>
    this.policies.listRetentionRuns(orgId, limit);

  addDeadLetters: DeadLetterStore['addDeadLetters'] = (letters) =>
    this.deadLetters.addDeadLetters(letters);
  listDeadLetters: DeadLetterStore['listDeadLetters'] = (orgId, page) =>
    this.deadLetters.listDeadLetters(orgId, page);
  createVideoJob: VideoJobStore['createVideoJob'] = (job) => this.videoJobs.createVideoJob(job);
  getVideoJob: VideoJobStore['getVideoJob'] = (scope, id) => this.videoJobs.getVideoJob(scope, id);
  claimVideoJobs: VideoJobStore['claimVideoJobs'] = (owner, now, leaseMs, limit) =>
    this.videoJobs.claimVideoJobs(owner, now, leaseMs, limit);
  updateVideoJob: VideoJobStore['updateVideoJob'] = (job, owner, update) =>
    this.videoJobs.updateVideoJob(job, owner, update);
  nextVideoPollAt: VideoJobStore['nextVideoPollAt'] = () => this.videoJobs.nextVideoPollAt();

  async ping(): Promise<void> {
    await this.database.execute(sql`select 1`);
  }

  /** Closes the connection; calling it again waits for the same close. */
  close(): Promise<void> {
    this.closing ??= this.driver.close();
    return this.closing;
  }
}
