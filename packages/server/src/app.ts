import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { systemClock, type Clock } from '@tollgate/core';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { adminAlertsRoutes } from './api/admin-alerts-routes';
import { adminCredentialsRoutes } from './api/admin-credentials-routes';
import { adminFlagsRoutes } from './api/admin-flags-routes';
import { adminGatewayRoutes } from './api/admin-gateway-routes';
import { adminGuardrailsRoutes } from './api/admin-guardrails-routes';
import { adminKeysRoutes } from './api/admin-keys-routes';
import { adminOperatorRoutes } from './api/admin-operator-routes';
import { adminPricesRoutes } from './api/admin-prices-routes';
import { adminRetentionRoutes } from './api/admin-retention-routes';
import { adminBudgetsRoutes } from './api/admin-budgets-routes';
import { adminDeadLettersRoutes } from './api/admin-dead-letters-routes';
import { budgetsRoutes } from './api/budgets-routes';
import { adminTenantsRoutes } from './api/admin-tenants-routes';
import { auditRoutes } from './api/audit-routes';
import { analyticsRoutes } from './api/analytics';
import { aiFallbackRoutes } from './api/ai-fallback-routes';
import { dashboardRoutes } from './api/dashboard-routes';
import { eventsRoutes } from './api/events-routes';
import { feedbackRoutes } from './api/feedback-routes';
import { flagsRoutes } from './api/flags-routes';
import { healthRoutes } from './api/health-routes';
import { liveRoutes } from './api/live-routes';
import { metricsSummaryRoutes } from './api/metrics-summary-routes';
import { otlpRoutes } from './api/otlp-routes';
import { promptsRoutes } from './api/prompts-routes';
import { providersHealthRoutes } from './api/providers-health-routes';
import { eventDetailRoutes } from './api/event-detail-routes';
import { meRoutes } from './api/me-routes';
import { runsRoutes } from './api/runs-routes';
import { authPlugin } from './auth/auth-plugin';
import type { Configuration } from './config';
import { gatewayPlugin } from './gateway/gateway-plugin';
import { governancePlugin } from './governance/governance-plugin';
import { policyPlugin } from './governance/policy-plugin';
import { budgetsPlugin, type BudgetsPluginOptions } from './governance/budgets/budgets-plugin';
import { answerFrameworkError, errorHandlerPlugin } from './http/error-handler-plugin';
import { openApiPlugin } from './http/openapi-plugin';
import { EventIdClaims } from './ingest/event-id-claims';
import { EventWriter } from './ingest/event-writer';
import { CallJournal } from './ingest/call-journal';
import { replayCallJournal } from './ingest/call-journal-replay';
import { CALL_RECORD_LIMITS, CallRecordBatch } from './ingest/call-record-batch';
import { PromptCallObservers } from './gateway/call/prompt-call-observers';
import { metricsPlugin } from './metrics/metrics-plugin';
import { alertsPlugin } from './alerts/alerts-plugin';
import { Spool } from './ingest/spool';
import { PricingService } from './pricing/pricing-service';
import { outboundPlugin, type OutboundPluginOptions } from './outbound/outbound-plugin';
import { closeStores, openStores, type Stores } from './stores/open-stores';
import { makePrivateDirectory } from './stores/private-directory';
import { ContentKeyring } from './secrets/content-keys';
import { loadSecretKey, SecretBox } from './secrets/secret-box';
import { errorReportingPlugin } from './observability/error-reporting-plugin';
import { disabledErrorReporter } from './observability/error-reporter';
import { createSentryReporter, defaultRelease } from './observability/sentry-reporter';

declare module 'fastify' {
  interface FastifyInstance {
    configuration: Configuration;
    stores: Stores;
    eventWriter: EventWriter;
    pricing: PricingService;
    /** Where the gateway's call events (and its guardrail and budget events) are journaled and batched. */
    callRecords: CallRecordBatch;
    /** Every gateway call as it is recorded, for metrics, budgets and rate-limit settling. */
    promptCalls: PromptCallObservers;
    /** Each org's data key for the projects that encrypt stored content. */
    contentKeys: ContentKeyring;
  }
}

export interface BuildAppOptions {
  /** Stores opened by the caller (tests may share them); opened from the configuration otherwise. */
  stores?: Stores;
  /** Pino options or false; defaults to JSON logs at the configured level. */
  logger?: FastifyServerOptions['logger'];
  /**
   * Answer 500 when a route returns fields its response schema does not name, instead of
   * dropping them (tests set it, so an answer and its schema cannot drift apart unnoticed).
   */
  strictAnswers?: boolean;
  /**
   * Where every part that keeps time reads it and waits on it: breakers, retries and backoff,
   * video polling, budget periods and webhook retries, alert evaluation and webhook backoff, rate
   * limits, the memory hot store's TTLs. Default the system clock; tests pass a `ManualClock`.
   */
  clock?: Clock;
  /** Budget webhook retries (tests shorten them). */
  budgets?: Pick<BudgetsPluginOptions, 'webhook'>;
  /** Outbound policy options (tests inject a name resolver). */
  outbound?: OutboundPluginOptions;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Builds the whole app from a configuration. Booting (listen, signals) is the CLI's job. */
export async function buildApp(
  configuration: Configuration,
  options: BuildAppOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? { level: configuration.logLevel },
    // Keep the caller's request id when it is sane, so one id follows a call across services.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    logController: new LogController({
      requestIdLogLabel: 'requestId',
      disableRequestLogging:
        configuration.logLevel !== 'debug' && configuration.logLevel !== 'trace',
    }),
    bodyLimit: configuration.ingest.maxBytes,
    frameworkErrors: answerFrameworkError,
  });

  // Built first: the event writer reports store outages, spool growth and dead letters to it.
  const errorReporter = configuration.sentry
    ? createSentryReporter({
        dsn: configuration.sentry.dsn,
        environment: configuration.sentry.environment,
        release: configuration.sentry.release ?? defaultRelease(),
      })
    : disabledErrorReporter;
  makePrivateDirectory(configuration.dataDir);
  const clock = options.clock ?? systemClock;
  const stores = options.stores ?? (await openStores(configuration, { clock }));
  // The master key wraps provider secrets and each org's content key. A wrong one stops start-up.
  const secret = loadSecretKey(configuration.secretKey, join(configuration.dataDir, 'secret.key'));
  if (secret.generated) {
    app.log.warn(
      'TOLLGATE_SECRET_KEY is not set: generated one in the data directory; set the variable when running several replicas',
    );
  }
  const contentKeys = new ContentKeyring({ store: stores.meta, master: secret.key });
  try {
    await contentKeys.checkMasterKey();
  } catch (error) {
    if (!options.stores) await closeStores(stores);
    throw error;
  }
  const spool = new Spool(
    join(configuration.dataDir, 'spool', 'events.spool'),
    configuration.spool.maxBytes,
  );
  await spool.open();
  const claims = new EventIdClaims({
    hot: stores.hot,
    logger: app.log,
    windowMs: configuration.dedupe.windowMs,
    pendingMs: Math.max(30_000, 3 * configuration.ingest.insertTimeoutMs),
  });
  const eventWriter = new EventWriter({
    store: stores.events,
    spool,
    deadLetters: stores.meta,
    claims,
    logger: app.log,
    reporter: errorReporter,
    insertTimeoutMs: configuration.ingest.insertTimeoutMs,
  });
  await eventWriter.start();
  // Answered means recorded: calls an earlier process answered but never stored go in first.
  const callJournal = new CallJournal({
    directory: join(configuration.dataDir, 'journal'),
    logger: app.log,
    syncIntervalMs: configuration.journal.syncIntervalMs,
  });
  await replayCallJournal(callJournal.open(), {
    store: stores.events,
    writer: eventWriter,
    claims,
    logger: app.log,
  });
  const callRecords = new CallRecordBatch(eventWriter, app.log, CALL_RECORD_LIMITS, callJournal);

  app.decorate('configuration', configuration);
  app.decorate('stores', stores);
  app.decorate('eventWriter', eventWriter);
  const pricing = new PricingService({ meta: stores.meta });
  app.decorate('pricing', pricing);
  if (configuration.pricing.catalogue) {
    // A catalogue that cannot be loaded leaves the shipped one in place rather than stopping start-up.
    await pricing.loadCatalogue(configuration.pricing.catalogue).then(
      (catalogue) =>
        app.log.info(
          { source: catalogue.source, models: catalogue.models.size },
          'price catalogue loaded',
        ),
      (error: Error) =>
        app.log.error({ err: error }, 'price catalogue not loaded; using the shipped one'),
    );
  }
  app.decorate('callRecords', callRecords);
  app.decorate('promptCalls', new PromptCallObservers());
  app.decorate('contentKeys', contentKeys);
  // A callback hook, not an async one: it runs on every request and has nothing to wait for.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onClose', async () => {
    await callRecords.flush();
    await eventWriter.close();
    callJournal.close();
    await spool.close();
    if (!options.stores) await closeStores(stores);
  });

  await app.register(errorHandlerPlugin);
  await app.register(errorReportingPlugin, { reporter: errorReporter });
  await app.register(openApiPlugin, { strictAnswers: options.strictAnswers === true });
  await app.register(outboundPlugin, options.outbound ?? {});
  await app.register(authPlugin, {
    meta: stores.meta,
    hot: stores.hot,
    keyCacheMs: configuration.keyCacheMs,
    pricing,
    contentKeys,
  });
  await app.register(metricsPlugin, { spool, callJournal });
  await app.register(healthRoutes);
  await app.register(dashboardRoutes);
  await app.register(eventsRoutes);
  await app.register(otlpRoutes);
  await app.register(runsRoutes);
  await app.register(meRoutes);
  await app.register(eventDetailRoutes);
  await app.register(metricsSummaryRoutes);
  await app.register(liveRoutes);
  await app.register(analyticsRoutes);
  await app.register(feedbackRoutes);
  await app.register(promptsRoutes);
  await app.register(budgetsPlugin, { ...options.budgets, clock });
  await app.register(governancePlugin, { clock });
  await app.register(policyPlugin);
  await app.register(gatewayPlugin, { secretBox: new SecretBox(secret.key), clock });
  await app.register(alertsPlugin, { clock });
  await app.register(adminAlertsRoutes);
  await app.register(aiFallbackRoutes);
  await app.register(adminGatewayRoutes);
  await app.register(adminCredentialsRoutes);
  await app.register(adminTenantsRoutes);
  await app.register(adminPricesRoutes);
  await app.register(adminKeysRoutes);
  await app.register(adminBudgetsRoutes);
  await app.register(budgetsRoutes);
  await app.register(adminFlagsRoutes);
  await app.register(flagsRoutes);
  await app.register(adminGuardrailsRoutes);
  await app.register(adminRetentionRoutes);
  await app.register(adminOperatorRoutes);
  await app.register(auditRoutes);
  await app.register(adminDeadLettersRoutes);
  await app.register(providersHealthRoutes);
  return app;
}
