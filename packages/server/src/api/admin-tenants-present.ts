import {
  KEY_SCOPES,
  PLANS,
  priceOverridesSchema,
  type ApiKey,
  type AuditEntry,
  type NewAuditEntry,
  type Organization,
  type Project,
  type RateLimitSettings,
} from '@tollgate/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { storableText } from '../http/storable-text';
import { retentionDaysOf } from '../auth/auth-plugin';
import { ApiError } from '../http/errors';

/** How the admin API shows each record; the audit log stores the same shapes as before/after. */
function presentRateLimits(limits: RateLimitSettings) {
  return {
    requests_per_minute: limits.requestsPerMinute,
    tokens_per_minute: limits.tokensPerMinute,
  };
}

export function presentOrganization(organization: Organization) {
  return {
    id: organization.id,
    name: organization.name,
    plan: organization.plan,
    retention_days: organization.retentionDays,
    effective_retention_days: retentionDaysOf(organization),
    chargeback_rate: organization.chargebackRate,
    price_overrides: organization.priceOverrides,
    rate_limits: presentRateLimits(organization.rateLimits),
    operator: organization.operator,
    created_at: organization.createdAt.toISOString(),
  };
}

export function presentProject(project: Project) {
  return {
    id: project.id,
    org_id: project.orgId,
    name: project.name,
    content_storage: project.contentStorage,
    pii_redaction: project.piiRedaction,
    content_encryption: project.contentEncryption,
    rate_limits: presentRateLimits(project.rateLimits),
    created_at: project.createdAt.toISOString(),
  };
}

/** Never the secret or its hash: only the visible prefix. */
export function presentApiKey(key: ApiKey) {
  return {
    id: key.id,
    org_id: key.orgId,
    project_id: key.projectId,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    expires_at: key.expiresAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
    rate_limits: presentRateLimits(key.rateLimits),
    created_at: key.createdAt.toISOString(),
  };
}

export function presentAuditEntry(entry: AuditEntry) {
  return {
    id: entry.id,
    org_id: entry.orgId,
    actor_key_id: entry.actorKeyId,
    actor_org_id: entry.actorOrgId,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    before: entry.before,
    after: entry.after,
    created_at: entry.createdAt.toISOString(),
  };
}

/** Appends an audit entry for a change the request's key made. */
export async function audit(
  app: FastifyInstance,
  request: FastifyRequest,
  entry: Omit<NewAuditEntry, 'actorKeyId' | 'actorOrgId'>,
): Promise<void> {
  await app.stores.meta.appendAuditEntry({
    ...entry,
    actorKeyId: request.caller?.keyId ?? null,
    actorOrgId: request.caller?.orgId ?? null,
  });
}

/** The admin API's body fields, validated; snake_case like the records it shows. */
export const nameField = storableText().trim().min(1).max(128);
const perMinute = z.number().int().min(1).max(1_000_000_000).nullable();
export const rateLimitsField = z
  .strictObject({
    requests_per_minute: perMinute.optional(),
    tokens_per_minute: perMinute.optional(),
  })
  .transform((limits) => ({
    requestsPerMinute: limits.requests_per_minute,
    tokensPerMinute: limits.tokens_per_minute,
  }));
export const planField = z.enum(PLANS);
export const retentionDaysField = z.number().int().min(1).max(36_500).nullable();
/** A multiplier as exact decimal text (a number is accepted and kept as written). */
export const chargebackRateField = z
  .union([z.string().trim(), z.number().nonnegative().transform(String)])
  .refine((value) => /^\d{1,6}(\.\d{1,9})?$/.test(value), {
    message: 'must be a non-negative decimal such as "1.15" (at most 9 decimals)',
  })
  .nullable();
export const priceOverridesField = priceOverridesSchema
  .refine((overrides) => Object.keys(overrides).length <= 1_000, {
    message: 'at most 1000 models',
  })
  .refine((overrides) => Object.keys(overrides).every((model) => model.length <= 256), {
    message: 'model names are at most 256 characters',
  })
  .nullable();
export const scopesField = z
  .array(z.enum(KEY_SCOPES))
  .min(1)
  .max(KEY_SCOPES.length)
  .refine((scopes) => new Set(scopes).size === scopes.length, { message: 'repeats a scope' });
export const idField = z.string().regex(/^[a-z]+_[0-9a-f]{32}$/, 'is not a valid id');

/** Throws a 404 unless the value exists. */
export function found<Value>(value: Value | undefined, what: string): Value {
  if (value === undefined) throw new ApiError('not_found', `${what} not found`);
  return value;
}
