import { buildApp } from '../app';
import { bootstrapDefaultTenant } from '../bootstrap';
import type { Configuration } from '../config';
import { describeListening } from './listen-address';
import { loopbackUrl, writeServerFile } from './running-server';

export async function serveCommand(configuration: Configuration): Promise<void> {
  // Whatever the stores and the spool create under the data directory is the owner's only.
  process.umask(0o077);
  const app = await buildApp(configuration);
  const created = await bootstrapDefaultTenant(app.stores.meta);
  const listenedAt = await app.listen({ port: configuration.port, host: configuration.host });
  // The CLI finds this server here, and goes through its API while it holds the stores.
  const removeServerFile = writeServerFile(configuration.dataDir, loopbackUrl(listenedAt));
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound ? bound.port : configuration.port;
  const { url: address, listening, warning } = describeListening(configuration.host, port);
  if (warning) {
    app.log.warn(warning);
    console.warn(`WARNING: ${warning}`);
  }
  if (created) {
    // Printed once: only the hashes are stored.
    console.log(
      [
        '',
        'Tollgate created a default organization and project. Keep these keys: they are shown only once.',
        `  admin key:   ${created.adminKey}`,
        `  project key: ${created.projectKey}`,
        '',
      ].join('\n'),
    );
  }
  console.log(
    [
      `Tollgate is serving at ${address} (listening on ${listening})`,
      `  gateway (OpenAI-compatible): ${address}/v1`,
      `  API:                         ${address}/api/v1`,
      `  health:                      ${address}/healthz`,
      `  stores: events=${app.stores.events.kind} meta=${app.stores.meta.kind} hot=${app.stores.hot.kind}`,
    ].join('\n'),
  );

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    removeServerFile();
    app.log.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  if (app.errorReporter.enabled) {
    // With error reporting on, a crash is reported before the process ends, as it would anyway.
    const crash = (error: unknown) => {
      app.log.fatal({ err: error }, 'unhandled error; exiting');
      app.errorReporter.captureError('unhandled_error', error, { level: 'fatal' });
      void app.errorReporter.flush(2000).finally(() => process.exit(1));
    };
    process.on('uncaughtException', crash);
    process.on('unhandledRejection', crash);
  }
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}
