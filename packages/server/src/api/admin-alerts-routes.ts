import type { AlertRuleRecord } from '@tollgate/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { alertRuleSchema } from '../alerts/alert-rules';
import { definitionOf } from '../alerts/stored-alert-rules';
import { ApiError } from '../http/errors';
import { isUniqueViolation } from '../stores/meta';
import { checkOutboundUrl } from './outbound-field';
import { invalidField, orgAdminOnly, orgIdOf, parseBody } from './admin-access';
import { audit, found, idField } from './admin-tenants-present';

/**
 * `enabled` is the record's; every other field is the rule's (as in the alerts file, without
 * `org`). The route schema takes any object; the rule itself is validated in the handler
 * (`parseRule`), because a PATCH is validated as the stored rule with its changes applied.
 */
const enabledSchema = z.strictObject({ enabled: z.boolean().optional() });
const bodySchema = z.record(z.string(), z.unknown());

const idParams = z.strictObject({ id: idField });

/**
 * Alert rules of the organization (`/api/v1/admin/alerts`), evaluated with the
 * `TOLLGATE_ALERTS` file's rules. A rule's fields are those of the file (kind,
 * thresholds, webhook, `project`); its org is always the caller's. Every
 * change is audited.
 */
export async function adminAlertsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = orgAdminOnly(app);
  const { meta } = app.stores;

  function present(record: AlertRuleRecord) {
    return {
      id: record.id,
      name: record.name,
      enabled: record.enabled,
      ...(record.definition as object),
      firing: app.alerts.isFiring(record.id),
      created_at: record.createdAt.toISOString(),
      updated_at: record.updatedAt.toISOString(),
    };
  }

  /** The body's rule, validated for the caller's org, with `enabled` apart. */
  async function parseRule(request: FastifyRequest, body: Record<string, unknown>) {
    const orgId = orgIdOf(request);
    const { enabled, org: _ignored, ...fields } = body;
    const rule = parseBody(alertRuleSchema, { ...fields, org: orgId });
    const { enabled: checkedEnabled } = parseBody(enabledSchema, { enabled });
    if (rule.project !== undefined) {
      const project = await meta.getProject(rule.project);
      if (!project || project.orgId !== orgId) {
        throw new ApiError('not_found', `project ${rule.project} not found`, { field: 'project' });
      }
    }
    await checkOutboundUrl(app.outbound, orgId, rule.webhook.url, 'webhook.url');
    return { orgId, rule, enabled: checkedEnabled };
  }

  /** A name the org already uses is a 409 naming the field. */
  async function stored<Result>(write: () => Promise<Result>, name: string): Promise<Result> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ApiError('conflict', `name: an alert rule named "${name}" already exists`, {
          field: 'name',
        });
      }
      throw error;
    }
  }

  app.get('/api/v1/admin/alerts', { preValidation }, async (request) => {
    const records = await meta.listAlertRules(orgIdOf(request));
    return { rules: records.map(present) };
  });

  app.get(
    '/api/v1/admin/alerts/:id',
    { preValidation, schema: { params: idParams } },
    async (request) => {
      const id = request.params.id;
      return present(found(await meta.getAlertRule(orgIdOf(request), id), `alert rule ${id}`));
    },
  );

  app.post(
    '/api/v1/admin/alerts',
    { preValidation, schema: { body: bodySchema } },
    async (request, reply) => {
      const { orgId, rule, enabled } = await parseRule(request, request.body);
      const record = await stored(
        () =>
          meta.createAlertRule({ orgId, name: rule.name, definition: definitionOf(rule), enabled }),
        rule.name,
      );
      await audit(app, request, {
        orgId,
        action: 'alert_rule.created',
        targetType: 'alert_rule',
        targetId: record.id,
        before: null,
        after: present(record),
      });
      return reply.status(201).send(present(record));
    },
  );

  app.patch(
    '/api/v1/admin/alerts/:id',
    { preValidation, schema: { params: idParams, body: bodySchema } },
    async (request) => {
      const orgId = orgIdOf(request);
      const id = request.params.id;
      const changes = request.body;
      if (Object.keys(changes).length === 0) throw invalidField('body', 'names no field to change');
      const before = found(await meta.getAlertRule(orgId, id), `alert rule ${id}`);
      // The changed fields over the stored ones, validated as a whole rule.
      const { rule, enabled } = await parseRule(request, {
        ...(before.definition as object),
        name: before.name,
        enabled: before.enabled,
        ...changes,
      });
      const after = await stored(
        () =>
          meta.updateAlertRule(orgId, id, {
            name: rule.name,
            definition: definitionOf(rule),
            enabled,
          }),
        rule.name,
      );
      await audit(app, request, {
        orgId,
        action: 'alert_rule.updated',
        targetType: 'alert_rule',
        targetId: id,
        before: present(before),
        after: present(found(after, `alert rule ${id}`)),
      });
      return present(found(after, `alert rule ${id}`));
    },
  );

  app.delete(
    '/api/v1/admin/alerts/:id',
    { preValidation, schema: { params: idParams } },
    async (request, reply) => {
      const orgId = orgIdOf(request);
      const id = request.params.id;
      const before = found(await meta.getAlertRule(orgId, id), `alert rule ${id}`);
      await meta.deleteAlertRule(orgId, id);
      await audit(app, request, {
        orgId,
        action: 'alert_rule.deleted',
        targetType: 'alert_rule',
        targetId: id,
        before: present(before),
        after: null,
      });
      return reply.status(204).send();
    },
  );
}
