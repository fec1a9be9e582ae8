import { createEventId, type AuditEntry, type TenantAdminStore } from '@tollgate/core';
import { and, desc, eq, lt, or } from 'drizzle-orm';
import type { MetaDatabase } from './meta-database';
import { apiKeys, auditLog, organizations, projects } from './schema';
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

const DEFAULT_AUDIT_LIMIT = 100;
const MAX_AUDIT_LIMIT = 1_000;

/** Updates and deletes of orgs, projects and keys, and the audit log; every query scoped to an org. */
export function tenantAdminQueries(database: MetaDatabase): TenantAdminStore {
  return {
    async updateOrganization(id, changes) {
      const { rateLimits, ...fields } = changes;
      const values = { ...fields, ...rateLimitValues(rateLimits) };
      if (Object.keys(values).length === 0) {
        const [current] = await database
          .select(organizationColumns)
          .from(organizations)
          .where(eq(organizations.id, id));
        return current && toOrganization(current);
      }
      const [organization] = await database
        .update(organizations)
        .set(values)
        .where(eq(organizations.id, id))
        .returning(organizationColumns);
      return organization && toOrganization(organization);
    },

    async deleteOrganization(id) {
      const deleted = await database
        .delete(organizations)
        .where(eq(organizations.id, id))
        .returning({ id: organizations.id });
      return deleted.length > 0;
    },

    async updateProject(orgId, id, changes) {
      const { rateLimits, ...fields } = changes;
      const values = { ...fields, ...rateLimitValues(rateLimits) };
      const where = and(eq(projects.orgId, orgId), eq(projects.id, id));
      if (Object.keys(values).length === 0) {
        const [current] = await database.select(projectColumns).from(projects).where(where);
        return current && toProject(current);
      }
      const [project] = await database
        .update(projects)
        .set(values)
        .where(where)
        .returning(projectColumns);
      return project && toProject(project);
    },

    async deleteProject(orgId, id) {
      const deleted = await database
        .delete(projects)
        .where(and(eq(projects.orgId, orgId), eq(projects.id, id)))
        .returning({ id: projects.id });
      return deleted.length > 0;
    },

    async getApiKey(orgId, id) {
      const [key] = await database
        .select(apiKeyColumns)
        .from(apiKeys)
        .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.id, id)));
      return key && toApiKey(key);
    },

    async appendAuditEntry(entry) {
      const [row] = await database
        .insert(auditLog)
        .values({
          // A ULID: entries sort by time even within one millisecond.
          id: `audit_${createEventId()}`,
          orgId: entry.orgId,
          actorKeyId: entry.actorKeyId,
          actorOrgId: entry.actorOrgId,
          action: entry.action,
          targetType: entry.targetType,
          targetId: entry.targetId,
          before: entry.before ?? null,
          after: entry.after ?? null,
        })
        .returning();
      return expectRow(row, 'audit') as AuditEntry;
    },

    async listAuditEntries(orgId, options = {}) {
      const limit = Math.min(Math.max(options.limit ?? DEFAULT_AUDIT_LIMIT, 1), MAX_AUDIT_LIMIT);
      const ofOrg = or(eq(auditLog.orgId, orgId), eq(auditLog.actorOrgId, orgId));
      const rows = await database
        .select()
        .from(auditLog)
        .where(options.before ? and(ofOrg, lt(auditLog.createdAt, options.before)) : ofOrg)
        .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
        .limit(limit);
      return rows as AuditEntry[];
    },
  };
}
