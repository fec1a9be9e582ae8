import type { Clock } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { lazyTokenCounter } from '../../tokens/token-counter';
import { BudgetGuard } from './budget-guard';
import { BudgetReconciler } from './budget-reconciler';
import type { BudgetWebhookOptions } from './budget-webhook';

export interface Budgets {
  guard: BudgetGuard;
  reconciler: BudgetReconciler;
}

export interface BudgetsPluginOptions {
  /** Webhook retries and backoff (tests shorten them). */
  webhook?: BudgetWebhookOptions;
  /** The app's clock: periods, webhook backoff (tests move it across a boundary). */
  clock: Clock;
}

declare module 'fastify' {
  interface FastifyInstance {
    budgets: Budgets;
  }
}

/**
 * Budgets and cost control: the guard the gateway asks before a call, spend
 * counted from every recorded call, and counters reconciled from the event
 * store at start and every `TOLLGATE_BUDGET_RECONCILE_MS`.
 */
export const budgetsPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: BudgetsPluginOptions) => {
    const { stores } = app;
    const guard = new BudgetGuard({
      meta: stores.meta,
      hot: stores.hot,
      events: stores.events,
      callRecords: app.callRecords,
      logger: app.log,
      tokenCounter: lazyTokenCounter,
      // The gateway is registered after this plugin; it exists by the time a call arrives.
      routedModels: async (orgId, model) => {
        const route = await app.gateway.routeTable.resolve(orgId, model);
        return route?.deployments.map((deployment) => deployment.model) ?? [];
      },
      onBlocked: () => app.metrics.budgetBlocked(),
      webhook: options.webhook,
      webhookDispatcher: async (orgId) =>
        app.outbound.dispatcher(await app.outbound.trustOf(orgId)),
      clock: options.clock,
      pricing: app.pricing,
      unpricedPolicy: app.configuration.pricing.unpricedPolicy,
    });
    const reconciler = new BudgetReconciler({
      meta: stores.meta,
      events: stores.events,
      callRecords: app.callRecords,
      counters: guard.counters,
      logger: app.log,
      clock: options.clock,
    });
    app.promptCalls.observe((tenant, record) => guard.record(tenant, record));

    let running: Promise<unknown> = Promise.resolve();
    const reconcile = () => {
      running = reconciler
        .reconcileAll()
        .catch((error: unknown) => app.log.warn({ err: error }, 'budget reconciliation failed'));
    };
    let timer: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      reconcile();
      timer = setInterval(reconcile, app.configuration.budgets.reconcileIntervalMs).unref();
    });
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await running;
      await Promise.allSettled([...guard.deliveries]);
    });
    app.decorate('budgets', { guard, reconciler });
  },
  { name: 'tollgate-budgets', dependencies: ['tollgate-auth', 'tollgate-metrics'] },
);
