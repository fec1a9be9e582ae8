import {
  BUDGET_PERIODS,
  BUDGET_SCOPES,
  GUARDRAIL_ACTIONS,
  KEY_SCOPES,
  PLANS,
  type AuditEntry,
  type BudgetPeriod,
  type BudgetScope,
  type GuardrailAction,
  type KeyScope,
  type Plan,
  type PriceOverrides,
} from '@tollgate/core';
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';

/**
 * The meta store's tables, one schema for PGlite and Postgres. drizzle-kit
 * generates the migrations in `./migrations` from this file (`npx drizzle-kit generate`
 * at the repository root); never edit a generated migration by hand.
 *
 * Timestamps keep millisecond precision, the precision of a JavaScript Date, so
 * a value reads back exactly as it was written.
 */
const timestampColumn = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/** `'a', 'b', 'c'`: a SQL list of constant labels from core (never user input). */
const sqlLabels = (labels: readonly string[]) =>
  sql.raw(labels.map((label) => `'${label}'`).join(', '));

/** Requests and tokens per minute (null: no limit) of an org, project or key. */
const rateLimitColumns = () => ({
  requestsPerMinute: integer('requests_per_minute'),
  tokensPerMinute: integer('tokens_per_minute'),
});

const rateLimitChecks = (
  table: string,
  columns: { requestsPerMinute: AnyPgColumn; tokensPerMinute: AnyPgColumn },
) => [
  check(`${table}_requests_per_minute_check`, sql`${columns.requestsPerMinute} > 0`),
  check(`${table}_tokens_per_minute_check`, sql`${columns.tokensPerMinute} > 0`),
];

export const organizations = pgTable(
  'organizations',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    plan: text('plan').$type<Plan>().notNull().default('free'),
    /** Overrides the plan's retention when set. */
    retentionDays: integer('retention_days'),
    /** Decimal text, e.g. `1.15`: exact, unlike a float. */
    chargebackRate: text('chargeback_rate'),
    priceOverrides: jsonb('price_overrides').$type<PriceOverrides>(),
    ...rateLimitColumns(),
    /** The operator's organization, made at bootstrap: its admins administer every org. */
    operator: boolean('operator').notNull().default(false),
    createdAt: timestampColumn('created_at').notNull().defaultNow(),
  },
  (table) => [
    check('organizations_plan_check', sql`${table.plan} in (${sqlLabels(PLANS)})`),
    check('organizations_retention_days_check', sql`${table.retentionDays} > 0`),
    ...rateLimitChecks('organizations', table),
  ],
);

export const projects = pgTable(
  'projects',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    contentStorage: boolean('content_storage').notNull().default(true),
    piiRedaction: boolean('pii_redaction').notNull().default(false),
    contentEncryption: boolean('content_encryption').notNull().default(false),
    ...rateLimitColumns(),
    createdAt: timestampColumn('created_at').notNull().defaultNow(),
  },
  (table) => [
    ...rateLimitChecks('projects', table),
    unique('projects_org_id_name_unique').on(table.orgId, table.name),
    // Lets api_keys reference (org_id, id), so a key can never point at another org's project.
    unique('projects_org_id_id_unique').on(table.orgId, table.id),
  ],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** Null for an org-wide key. */
    projectId: text('project_id'),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    /** sha256 hex of the secret; the secret itself is never stored. */
    hash: text('hash').notNull().unique('api_keys_hash_unique'),
    scopes: text('scopes').array().$type<KeyScope[]>().notNull(),
    expiresAt: timestampColumn('expires_at'),
    revokedAt: timestampColumn('revoked_at'),
    createdAt: timestampColumn('created_at').notNull().defaultNow(),
    lastUsedAt: timestampColumn('last_used_at'),
    ...rateLimitColumns(),
  },
  (table) => [
    ...rateLimitChecks('api_keys', table),
    foreignKey({
      name: 'api_keys_project_in_org_fk',
      columns: [table.orgId, table.projectId],
      foreignColumns: [projects.orgId, projects.id],
    }).onDelete('cascade'),
    index('api_keys_org_id_index').on(table.orgId),
    check('api_keys_scopes_check', sql`${table.scopes} <@ array[${sqlLabels(KEY_SCOPES)}]::text[]`),
  ],
);

/** Gateway routes edited through the admin API: one per org and model name. */
export const gatewayRoutes = pgTable(
  'gateway_routes',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    model: text('model').notNull(),
    config: jsonb('config').notNull(),
    updatedAt: timestampColumn('updated_at').notNull().defaultNow(),
  },
  (table) => [primaryKey({ name: 'gateway_routes_pk', columns: [table.orgId, table.model] })],
);

/** Provider credentials; the secret is AES-256-GCM ciphertext, never plain text. */
export const providerCredentials = pgTable(
  'provider_credentials',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    provider: text('provider').notNull(),
    ciphertext: text('ciphertext').notNull(),
    createdAt: timestampColumn('created_at').notNull().defaultNow(),
  },
  (table) => [unique('provider_credentials_org_id_name_unique').on(table.orgId, table.name)],
);

/**
 * Every admin change (who, what, before, after, when). Rows are only ever
 * appended. No foreign key to the org: the log outlives a deleted org.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    actorKeyId: text('actor_key_id'),
    actorOrgId: text('actor_org_id'),
    action: text('action').notNull(),
    targetType: text('target_type').$type<AuditEntry['targetType']>().notNull(),
    targetId: text('target_id').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    createdAt: timestampColumn('created_at').notNull().defaultNow(),
  },
  (table) => [
    index('audit_log_org_id_created_at_index').on(table.orgId, table.createdAt),
    index('audit_log_actor_org_id_created_at_index').on(table.actorOrgId, table.createdAt),
  ],
);

/** Prompts by name within a project; their content lives in immutable versions. */
export const prompts = pgTable(
  'prompts',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    projectId: text('project_id').notNull(),
    name: text('name').notNull(),
    createdAt: timestampColumn('created_at').notNull().defaultNow(),
  },
  (table) => [
    unique('prompts_project_name_unique').on(table.orgId, table.projectId, table.name),
    // (org_id, project_id) together: a prompt can never point at another org's project.
    foreignKey({
      name: 'prompts_project_in_org_fk',
      columns: [table.orgId, table.projectId],
      foreignColumns: [projects.orgId, projects.id],
    }).onDelete('cascade'),
  ],
);

/**
 * Numbered versions of a prompt. Rows are never updated except `weight`, the
 * version's share of traffic while it is active (null: inactive).
 */
export const promptVersions = pgTable(
  'prompt_versions',
  {
    promptId: text('prompt_id')
      .notNull()
      .references(() => prompts.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    template: text('template').notNull(),
    system: text('system'),
    model: text('model'),
    temperature: doublePrecision('temperature'),
    maxTokens: integer('max_tokens'),
    createdBy: text('created_by'),
    createdAt: timestampColumn('created_at').notNull().defaultNow(),
    weight: doublePrecision('weight'),
  },
  (table) => [
    primaryKey({ name: 'prompt_versions_pk', columns: [table.promptId, table.version] }),
    check('prompt_versions_version_check', sql`${table.version} > 0`),
    check(
      'prompt_versions_temperature_check',
      sql`${table.temperature} >= 0 and ${table.temperature} <= 2`,
    ),
    check('prompt_versions_max_tokens_check', sql`${table.maxTokens} > 0`),
    check('prompt_versions_weight_check', sql`${table.weight} >= 0 and ${table.weight} <= 1`),
  ],
);

/**
 * Spending limits per org, project, key or app user, per UTC day or month.
 * The amount is exact (nano-dollars); the spend itself is counted in the hot store.
 */
export const budgets = pgTable(
  'budgets',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    scope: text('scope').$type<BudgetScope>().notNull(),
    scopeId: text('scope_id').notNull(),
    period: text('period').$type<BudgetPeriod>().notNull(),
    amountNanos: bigint('amount_nanos', { mode: 'bigint' }).notNull(),
    softThreshold: doublePrecision('soft_threshold').notNull().default(0.8),
    webhookUrl: text('webhook_url'),
    createdAt: timestampColumn('created_at').notNull().defaultNow(),
    updatedAt: timestampColumn('updated_at').notNull().defaultNow(),
  },
  (table) => [
    unique('budgets_org_scope_period_unique').on(
      table.orgId,
      table.scope,
      table.scopeId,
      table.period,
    ),
    check('budgets_scope_check', sql`${table.scope} in (${sqlLabels(BUDGET_SCOPES)})`),
    check('budgets_period_check', sql`${table.period} in (${sqlLabels(BUDGET_PERIODS)})`),
    check('budgets_amount_nanos_check', sql`${table.amountNanos} >= 0`),
    check(
      'budgets_soft_threshold_check',
      sql`${table.softThreshold} > 0 and ${table.softThreshold} <= 1`,
    ),
  ],
);

/** Alert rules managed through the admin API; `definition` is validated by the server. */
export const alertRules = pgTable(
  'alert_rules',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    definition: jsonb('definition').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: timestampColumn('created_at').notNull().defaultNow(),
    updatedAt: timestampColumn('updated_at').notNull().defaultNow(),
  },
  (table) => [unique('alert_rules_org_id_name_unique').on(table.orgId, table.name)],
);

/** Feature flags of an org: a default, overridden per project and per app user. */
export const featureFlags = pgTable(
  'feature_flags',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    defaultEnabled: boolean('default_enabled').notNull(),
    updatedAt: timestampColumn('updated_at').notNull().defaultNow(),
  },
  (table) => [primaryKey({ name: 'feature_flags_pk', columns: [table.orgId, table.name] })],
);

/** One override of a flag: for a project, a user, or a user within a project. */
export const featureFlagOverrides = pgTable(
  'feature_flag_overrides',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    flagName: text('flag_name').notNull(),
    projectId: text('project_id'),
    userId: text('user_id'),
    enabled: boolean('enabled').notNull(),
  },
  (table) => [
    foreignKey({
      name: 'feature_flag_overrides_flag_fk',
      columns: [table.orgId, table.flagName],
      foreignColumns: [featureFlags.orgId, featureFlags.name],
    }).onDelete('cascade'),
    foreignKey({
      name: 'feature_flag_overrides_project_in_org_fk',
      columns: [table.orgId, table.projectId],
      foreignColumns: [projects.orgId, projects.id],
    }).onDelete('cascade'),
    unique('feature_flag_overrides_target_unique')
      .on(table.orgId, table.flagName, table.projectId, table.userId)
      .nullsNotDistinct(),
    check(
      'feature_flag_overrides_target_check',
      sql`${table.projectId} is not null or ${table.userId} is not null`,
    ),
  ],
);

/** Flagged reference prompts of a project that gateway prompts are compared with. */
export const guardrailReferences = pgTable(
  'guardrail_references',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    projectId: text('project_id').notNull(),
    name: text('name').notNull(),
    text: text('text').notNull(),
    threshold: doublePrecision('threshold').notNull(),
    action: text('action').$type<GuardrailAction>().notNull(),
    createdAt: timestampColumn('created_at').notNull().defaultNow(),
  },
  (table) => [
    foreignKey({
      name: 'guardrail_references_project_in_org_fk',
      columns: [table.orgId, table.projectId],
      foreignColumns: [projects.orgId, projects.id],
    }).onDelete('cascade'),
    index('guardrail_references_org_id_project_id_index').on(table.orgId, table.projectId),
    check(
      'guardrail_references_threshold_check',
      sql`${table.threshold} > 0 and ${table.threshold} <= 1`,
    ),
    check(
      'guardrail_references_action_check',
      sql`${table.action} in (${sqlLabels(GUARDRAIL_ACTIONS)})`,
    ),
  ],
);

/**
 * What each retention run deleted, a row per org per run. No foreign key to
 * the org: the record outlives a deleted org, like the audit log.
 */
export const retentionRuns = pgTable(
  'retention_runs',
  {
    id: text('id').primaryKey(),
    runId: text('run_id').notNull(),
    orgId: text('org_id').notNull(),
    retentionDays: integer('retention_days').notNull(),
    cutoff: timestampColumn('cutoff').notNull(),
    deleted: jsonb('deleted').$type<Record<string, number>>().notNull(),
    createdAt: timestampColumn('created_at').notNull().defaultNow(),
  },
  (table) => [index('retention_runs_org_id_created_at_index').on(table.orgId, table.createdAt)],
);
