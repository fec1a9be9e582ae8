import { KEY_SCOPES, PLANS, type KeyScope, type Plan, type PriceOverrides } from '@tollgate/core';
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
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
    targetType: text('target_type').$type<'organization' | 'project' | 'api_key'>().notNull(),
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
