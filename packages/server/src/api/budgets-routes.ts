import { BudgetCheckResponse, BudgetsResponse } from '@tollgate/core/api';
import type { Budget, BudgetScope } from '@tollgate/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Caller } from '../auth/auth-plugin';
import { presentBudgetStatus } from '../governance/budgets/budget-present';
import type { BudgetState, BudgetStatus } from '../governance/budgets/budget-state';
import { ApiError } from '../http/errors';
import { budgetScopeField, scopeIdField } from './budget-fields';

const checkQuerySchema = z.strictObject({
  scope: budgetScopeField,
  /** Defaults to the caller's own org, project or key; required for a user. */
  id: scopeIdField.optional(),
});

const isAdmin = (caller: Caller) => caller.scopes.includes('admin');

const SEVERITY: Record<BudgetState, number> = { ok: 0, soft: 1, blocked: 2 };

function callerOf(request: FastifyRequest): Caller {
  const caller = request.caller;
  if (!caller) throw new ApiError('unauthorized', 'an API key is required');
  return caller;
}

/**
 * `GET /api/v1/budgets`: the budgets the caller's key is subject to or may
 * see, with spend, limit and state (an org key: every budget of its org; a
 * project key: its org's, its project's, its project's keys' and users').
 * `GET /api/v1/budgets/check?scope=&id=`: whether that scope is over budget,
 * for apps that want to ask before calling.
 */
export async function budgetsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = app.requireScope('read');
  const { meta } = app.stores;

  /**
   * The org's budgets this caller may see, never another org's. An admin key sees every budget
   * of its org. Other keys see what applies to them: the org's, their project's (an org-wide key:
   * every project's), their own key's (an org-wide key: every key's); an app user's budget only
   * when they name that user (`/check?scope=user&id=`), so no key lists its org's end users.
   */
  async function visibleBudgets(caller: Caller, namedUser?: string): Promise<Budget[]> {
    const budgets = await meta.listBudgets(caller.orgId);
    if (isAdmin(caller)) return budgets;
    return budgets.filter((budget) => {
      switch (budget.scope) {
        case 'org':
          return true;
        case 'project':
          return !caller.projectId || budget.scopeId === caller.projectId;
        case 'key':
          return !caller.projectId || budget.scopeId === caller.keyId;
        case 'user':
          return budget.scopeId === namedUser;
        default: {
          const unknown: never = budget.scope;
          return unknown;
        }
      }
    });
  }

  /** A budget as a caller sees it: webhook URLs (which hold tokens) only for admins. */
  function presentFor(caller: Caller, status: BudgetStatus) {
    const { webhook_url: webhookUrl, ...shown } = presentBudgetStatus(status);
    return isAdmin(caller) ? { ...shown, webhook_url: webhookUrl } : shown;
  }

  /** Whether the caller may ask about this scope: its org, its (or, for an org key, any) project and key. */
  async function scopeVisible(caller: Caller, scope: BudgetScope, id: string): Promise<boolean> {
    switch (scope) {
      case 'org':
        return id === caller.orgId;
      case 'project':
        if (caller.projectId) return id === caller.projectId;
        return (await meta.getProject(id))?.orgId === caller.orgId;
      case 'key': {
        const key = await meta.getApiKey(caller.orgId, id);
        return key !== undefined && (!caller.projectId || key.projectId === caller.projectId);
      }
      case 'user':
        return true;
      default: {
        const unknown: never = scope;
        return unknown;
      }
    }
  }

  const listSchema = { response: { 200: BudgetsResponse } };
  app.get('/api/v1/budgets', { preValidation, schema: listSchema }, async (request) => {
    const caller = callerOf(request);
    const budgets = await visibleBudgets(caller);
    const statuses = await Promise.all(budgets.map((each) => app.budgets.guard.statusOf(each)));
    return { budgets: statuses.map((status) => presentFor(caller, status)) };
  });

  app.get(
    '/api/v1/budgets/check',
    {
      preValidation,
      schema: { querystring: checkQuerySchema, response: { 200: BudgetCheckResponse } },
    },
    async (request) => {
      const caller = callerOf(request);
      const query = request.query;
      const own = {
        org: caller.orgId,
        project: caller.projectId,
        key: caller.keyId,
        user: undefined,
      };
      const id = query.id ?? own[query.scope] ?? undefined;
      if (id === undefined) {
        throw new ApiError(
          'invalid_request',
          query.scope === 'user'
            ? 'id: is required for scope=user'
            : 'id: is required with an org key',
          { field: 'id' },
        );
      }
      const namedUser = query.scope === 'user' ? id : undefined;
      const budgets = (await visibleBudgets(caller, namedUser)).filter(
        (budget) => budget.scope === query.scope && budget.scopeId === id,
      );
      // A scope of another org (or another project) is not found, whether or not it has budgets.
      if (budgets.length === 0 && !(await scopeVisible(caller, query.scope, id))) {
        throw new ApiError('not_found', `${query.scope} ${id} not found`, { field: 'id' });
      }
      const statuses = await Promise.all(budgets.map((each) => app.budgets.guard.statusOf(each)));
      const worst = statuses.reduce<BudgetState>(
        (state, status) => (SEVERITY[status.state] > SEVERITY[state] ? status.state : state),
        'ok',
      );
      return {
        scope: query.scope,
        id,
        over_budget: worst === 'blocked',
        state: worst,
        budgets: statuses.map((status) => presentFor(caller, status)),
      };
    },
  );
}
