import { z } from 'zod';
import { isoTime } from './common';

/** `GET /api/v1/me`: who the signed-in key is and what it may read. */
export const MeResponse = z.object({
  key_id: z.string(),
  /** The key's own organization. */
  org: z.object({ id: z.string(), name: z.string(), operator: z.boolean() }),
  /** The org being read (another one only for an operator admin naming `org_id`). */
  reading_org_id: z.string(),
  /** Null for an org-wide key. */
  project_id: z.string().nullable(),
  scopes: z.array(z.string()),
  /** An org admin key: it may use the admin API. */
  admin: z.boolean(),
  /** The projects the key may read. */
  projects: z.array(z.object({ id: z.string(), name: z.string() })),
});

const rateLimits = z.object({
  requests_per_minute: z.number().nullable(),
  tokens_per_minute: z.number().nullable(),
});

export const OrganizationResponse = z.object({
  id: z.string(),
  name: z.string(),
  plan: z.string(),
  retention_days: z.number().nullable(),
  effective_retention_days: z.number(),
  /** An exact decimal, e.g. "1.2"; null: the default applies. */
  chargeback_rate: z.string().nullable(),
  price_overrides: z.record(z.string(), z.unknown()).nullable(),
  rate_limits: rateLimits,
  operator: z.boolean(),
  created_at: isoTime,
});

/** `GET /api/v1/admin/orgs`: every org an operator admin may read, else the key's own. */
export const OrganizationsResponse = z.object({ organizations: z.array(OrganizationResponse) });

export const ProjectResponse = z.object({
  id: z.string(),
  org_id: z.string(),
  name: z.string(),
  content_storage: z.boolean(),
  pii_redaction: z.boolean(),
  content_encryption: z.boolean(),
  rate_limits: rateLimits,
  created_at: isoTime,
});

/** `GET /api/v1/admin/projects`. */
export const ProjectsResponse = z.object({ projects: z.array(ProjectResponse) });
