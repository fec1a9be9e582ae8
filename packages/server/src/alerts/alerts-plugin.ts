import { randomUUID } from 'node:crypto';
import { buildEventRow, eventInputSchema, type Clock } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { AlertEvaluator } from './alert-evaluator';
import { loadAlertsFile, type AlertRule } from './alert-rules';
import { deliverWebhook, type AlertNotice, type Sleep } from './alert-webhook';
import { keyedRules } from './stored-alert-rules';

/** How often rules are evaluated when no rules file sets `intervalSeconds`. */
const DEFAULT_INTERVAL_SECONDS = 60;

declare module 'fastify' {
  interface FastifyInstance {
    alerts: AlertEvaluator;
  }
}

export interface AlertsPluginOptions {
  /** The app's clock: when passes run, the end of every rule's window, webhook backoff. */
  clock: Clock;
}

/**
 * Alert rules from the `TOLLGATE_ALERTS` file and from the meta store (made
 * through the admin API, read again on every pass), evaluated every
 * `intervalSeconds` (the file's, else 60). A transition (firing, resolved) is
 * recorded as a `cost_threshold_exceeded` or `performance_alert` event and
 * posted to the rule's webhook, retried with backoff.
 */
export const alertsPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: AlertsPluginOptions) => {
    const { clock } = options;
    const sleep: Sleep = (milliseconds) => clock.sleep(milliseconds);
    const file = app.configuration.alertsFile;
    const { intervalSeconds, rules } = file
      ? loadAlertsFile(file)
      : { intervalSeconds: DEFAULT_INTERVAL_SECONDS, rules: [] };
    // The file's rules are the operator's; stored rules are their org's, held to its outbound trust.
    const fileRules = new Set<AlertRule>(rules);
    const dispatcherOf = async (rule: AlertRule) =>
      app.outbound.dispatcher(
        fileRules.has(rule) ? 'operator' : await app.outbound.trustOf(rule.org),
      );
    const evaluator = new AlertEvaluator({
      rules,
      storedRules: async () => keyedRules(await app.stores.meta.listEnabledAlertRules()),
      events: app.stores.events,
      now: () => clock.now(),
      onTransition: async (rule, notice) => {
        recordAlertEvent(app, rule, notice);
        // Delivery retries in the background: a slow receiver never holds up the other rules.
        dispatcherOf(rule)
          .then((dispatcher) => deliverWebhook(rule.webhook, notice, sleep, dispatcher))
          .catch((error: unknown) =>
            app.log.error(
              { err: error, rule: rule.name },
              'alert webhook failed after its retries',
            ),
          );
      },
    });
    app.gateway.router.breaker.events.on((event) => evaluator.breakerChanged(event));
    app.decorate('alerts', evaluator);
    // Replicas sharing the hot store evaluate by turns of one: the holder of a lease (renewed every
    // pass, lapsing after three missed ones) is the only one that notifies, so a firing rule is not
    // announced once per replica.
    const lease = { key: 'alerts:evaluator', holder: randomUUID(), ttlMs: intervalSeconds * 3000 };
    const holdsLease = async () =>
      (await app.stores.hot.compareAndSet(lease.key, lease.holder, lease.holder, lease.ttlMs)) ||
      app.stores.hot.compareAndSet(lease.key, null, lease.holder, lease.ttlMs);
    // A pass every interval on the app's clock (a test's manual clock runs them when it moves); a
    // slow pass never delays the next one's start, as with an interval timer.
    const stopped = new AbortController();
    const schedule = async () => {
      for (;;) {
        await clock.sleep(intervalSeconds * 1000, stopped.signal);
        holdsLease()
          .then((held) => (held ? evaluator.evaluate() : undefined))
          .catch((error: unknown) => app.log.error({ err: error }, 'alert evaluation failed'));
      }
    };
    app.addHook('onReady', async () => {
      schedule().catch(() => {
        // Aborted when the app closes.
      });
    });
    app.addHook('onClose', async () => stopped.abort());
    app.log.info({ fileRules: rules.length, intervalSeconds }, 'alert evaluation scheduled');
  },
  { name: 'tollgate-alerts', dependencies: ['tollgate-gateway'] },
);

function recordAlertEvent(app: FastifyInstance, rule: AlertRule, notice: AlertNotice): void {
  try {
    const input = eventInputSchema.parse({
      event_type: rule.kind === 'cost' ? 'cost_threshold_exceeded' : 'performance_alert',
      name: rule.name,
      service: 'alerts',
      status: notice.state === 'firing' ? 'error' : 'success',
      threshold: notice.threshold,
      value: notice.value,
      metadata: { kind: rule.kind, state: notice.state, summary: notice.summary },
    });
    // An org-wide rule's event belongs to no project.
    const row = buildEventRow(input, {
      orgId: rule.org,
      projectId: rule.project ?? '',
      retentionDays: 365,
    });
    app.eventWriter
      .write(Buffer.from(`${JSON.stringify(row)}\n`), 1)
      .catch((error: unknown) =>
        app.log.error({ err: error, rule: rule.name }, 'could not record an alert'),
      );
  } catch (error) {
    app.log.error({ err: error, rule: rule.name }, 'could not build an alert event');
  }
}
