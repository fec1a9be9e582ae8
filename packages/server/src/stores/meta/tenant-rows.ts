import type { ApiKey, Organization, Project, RateLimitSettings } from '@tollgate/core';
import { apiKeys, organizations, projects } from './schema';

/** The rate-limit columns as a row stores them, and back. */
interface RateLimitRow {
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
}

function rateLimitsOf(row: RateLimitRow): RateLimitSettings {
  return { requestsPerMinute: row.requestsPerMinute, tokensPerMinute: row.tokensPerMinute };
}

/** Only the limits given: `undefined` keeps a column as it is, `null` clears it. */
export function rateLimitValues(
  limits: Partial<RateLimitSettings> | undefined,
): Partial<RateLimitRow> {
  const values: Partial<RateLimitRow> = {};
  if (limits?.requestsPerMinute !== undefined) values.requestsPerMinute = limits.requestsPerMinute;
  if (limits?.tokensPerMinute !== undefined) values.tokensPerMinute = limits.tokensPerMinute;
  return values;
}

export const organizationColumns = {
  id: organizations.id,
  name: organizations.name,
  plan: organizations.plan,
  retentionDays: organizations.retentionDays,
  chargebackRate: organizations.chargebackRate,
  priceOverrides: organizations.priceOverrides,
  requestsPerMinute: organizations.requestsPerMinute,
  tokensPerMinute: organizations.tokensPerMinute,
  operator: organizations.operator,
  createdAt: organizations.createdAt,
};

type OrganizationRow = Omit<Organization, 'rateLimits'> & RateLimitRow;

export function toOrganization(row: OrganizationRow): Organization {
  const { requestsPerMinute, tokensPerMinute, ...rest } = row;
  return { ...rest, rateLimits: rateLimitsOf({ requestsPerMinute, tokensPerMinute }) };
}

export const projectColumns = {
  id: projects.id,
  orgId: projects.orgId,
  name: projects.name,
  contentStorage: projects.contentStorage,
  piiRedaction: projects.piiRedaction,
  contentEncryption: projects.contentEncryption,
  requestsPerMinute: projects.requestsPerMinute,
  tokensPerMinute: projects.tokensPerMinute,
  createdAt: projects.createdAt,
};

type ProjectRow = Omit<Project, 'rateLimits'> & RateLimitRow;

export function toProject(row: ProjectRow): Project {
  const { requestsPerMinute, tokensPerMinute, ...rest } = row;
  return { ...rest, rateLimits: rateLimitsOf({ requestsPerMinute, tokensPerMinute }) };
}

/** Every column an ApiKey shows; the hash stays in the database. */
export const apiKeyColumns = {
  id: apiKeys.id,
  orgId: apiKeys.orgId,
  projectId: apiKeys.projectId,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  scopes: apiKeys.scopes,
  expiresAt: apiKeys.expiresAt,
  revokedAt: apiKeys.revokedAt,
  requestsPerMinute: apiKeys.requestsPerMinute,
  tokensPerMinute: apiKeys.tokensPerMinute,
  createdAt: apiKeys.createdAt,
};

type ApiKeyRow = Omit<ApiKey, 'rateLimits'> & RateLimitRow;

export function toApiKey(row: ApiKeyRow): ApiKey {
  const { requestsPerMinute, tokensPerMinute, ...rest } = row;
  return { ...rest, rateLimits: rateLimitsOf({ requestsPerMinute, tokensPerMinute }) };
}

export function expectRow<Row>(row: Row | undefined, what: string): Row {
  if (row === undefined) throw new Error(`The meta store returned no ${what} row after an insert`);
  return row;
}
