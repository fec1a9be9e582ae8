import type { Budget, BudgetScope } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { checkOutboundUrl } from './outbound-field';
import { z } from 'zod';
import { ApiError } from '../http/errors';
import { isUniqueViolation } from '../stores/meta';
import { invalidField, orgAdminOnly, orgIdOf } from './admin-access';
import { audit, found, idField } from './admin-tenants-present';
import { presentBudget, presentBudgetStatus } from '../governance/budgets/budget-present';
import {
  amountUsdField,
  budgetPeriodField,
  budgetScopeField,
  scopeIdField,
  softThresholdField,
  webhookUrlField,
} from './budget-fields';

const newBudgetSchema = z.strictObject({
  scope: budgetScopeField,
  /** The org's own id for an org budget (may be left out). */
  scope_id: scopeIdField.optional(),
  period: budgetPeriodField.default('month'),
  amount_usd: amountUsdField,
  soft_threshold: softThresholdField.default(0.8),
  webhook_url: webhookUrlField.optional(),
});
const budgetChangesSchema = z
  .strictObject({
    period: budgetPeriodField,
    amount_usd: amountUsdField,
    soft_threshold: softThresholdField,
    webhook_url: webhookUrlField,
  })
  .partial();

const idParams = z.strictObject({ id: idField });

/**
 * Budgets of the organization (`/api/v1/admin/budgets`): per org, project, key
 * or app user, per UTC day or month. Every change is audited; the gateway
 * sees it within a few seconds (at once in this process).
 */
export async function adminBudgetsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = orgAdminOnly(app);
  const { meta } = app.stores;

  /** The scope id, checked to name something of the caller's org (404 otherwise, never 403). */
  async function ownedScopeId(
    orgId: string,
    scope: BudgetScope,
    scopeId: string | undefined,
  ): Promise<string> {
    if (scope === 'org') {
      if (scopeId !== undefined && scopeId !== orgId) {
        throw invalidField('scope_id', 'an org budget is for the caller’s own organization');
      }
      return orgId;
    }
    if (scopeId === undefined) throw invalidField('scope_id', `is required for a ${scope} budget`);
    if (scope === 'project') {
      const project = await meta.getProject(scopeId);
      if (!project || project.orgId !== orgId) {
        throw new ApiError('not_found', `project ${scopeId} not found`, { field: 'scope_id' });
      }
    }
    if (scope === 'key' && !(await meta.getApiKey(orgId, scopeId))) {
      throw new ApiError('not_found', `key ${scopeId} not found`, { field: 'scope_id' });
    }
    return scopeId;
  }

  /** A scope that already has a budget for the period is a 409 naming the field. */
  async function stored<Result>(write: () => Promise<Result>, budget: string): Promise<Result> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ApiError('conflict', `period: ${budget} already has a budget for this period`, {
          field: 'period',
        });
      }
      throw error;
    }
  }

  /** Counts what the scope spent so far in the period, then lets the gateway see the change. */
  async function applied(budget: Budget): Promise<void> {
    app.budgets.guard.forget(budget.orgId);
    await app.budgets.reconciler.reconcile([budget]);
  }

  app.get('/api/v1/admin/budgets', { preValidation }, async (request) => {
    const budgets = await meta.listBudgets(orgIdOf(request));
    const statuses = await Promise.all(budgets.map((each) => app.budgets.guard.statusOf(each)));
    return { budgets: statuses.map(presentBudgetStatus) };
  });

  app.get(
    '/api/v1/admin/budgets/:id',
    { preValidation, schema: { params: idParams } },
    async (request) => {
      const id = request.params.id;
      const budget = found(await meta.getBudget(orgIdOf(request), id), `budget ${id}`);
      return presentBudgetStatus(await app.budgets.guard.statusOf(budget));
    },
  );

  app.post(
    '/api/v1/admin/budgets',
    { preValidation, schema: { body: newBudgetSchema } },
    async (request, reply) => {
      const orgId = orgIdOf(request);
      const body = request.body;
      await checkOutboundUrl(app.outbound, orgId, body.webhook_url, 'webhook_url');
      const scopeId = await ownedScopeId(orgId, body.scope, body.scope_id);
      const budget = await stored(
        () =>
          meta.createBudget({
            orgId,
            scope: body.scope,
            scopeId,
            period: body.period,
            amountNanos: body.amount_usd,
            softThreshold: body.soft_threshold,
            webhookUrl: body.webhook_url ?? null,
          }),
        `${body.scope} ${scopeId}`,
      );
      await audit(app, request, {
        orgId,
        action: 'budget.created',
        targetType: 'budget',
        targetId: budget.id,
        before: null,
        after: presentBudget(budget),
      });
      await applied(budget);
      return reply.status(201).send(presentBudgetStatus(await app.budgets.guard.statusOf(budget)));
    },
  );

  app.patch(
    '/api/v1/admin/budgets/:id',
    { preValidation, schema: { params: idParams, body: budgetChangesSchema } },
    async (request) => {
      const orgId = orgIdOf(request);
      const id = request.params.id;
      const body = request.body;
      await checkOutboundUrl(app.outbound, orgId, body.webhook_url, 'webhook_url');
      const before = found(await meta.getBudget(orgId, id), `budget ${id}`);
      const after = found(
        await stored(
          () =>
            meta.updateBudget(orgId, id, {
              period: body.period,
              amountNanos: body.amount_usd,
              softThreshold: body.soft_threshold,
              webhookUrl: body.webhook_url,
            }),
          `${before.scope} ${before.scopeId}`,
        ),
        `budget ${id}`,
      );
      await audit(app, request, {
        orgId,
        action: 'budget.updated',
        targetType: 'budget',
        targetId: id,
        before: presentBudget(before),
        after: presentBudget(after),
      });
      await applied(after);
      return presentBudgetStatus(await app.budgets.guard.statusOf(after));
    },
  );

  app.delete(
    '/api/v1/admin/budgets/:id',
    { preValidation, schema: { params: idParams } },
    async (request, reply) => {
      const orgId = orgIdOf(request);
      const id = request.params.id;
      const before = found(await meta.getBudget(orgId, id), `budget ${id}`);
      await meta.deleteBudget(orgId, id);
      await audit(app, request, {
        orgId,
        action: 'budget.deleted',
        targetType: 'budget',
        targetId: id,
        before: presentBudget(before),
        after: null,
      });
      app.budgets.guard.forget(orgId);
      return reply.status(204).send();
    },
  );
}
