import type { FastifyInstance } from 'fastify';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const { events, meta, hot } = app.stores;
    const checks = await Promise.all(
      (
        [
          ['events', events.kind, () => events.ping()],
          ['meta', meta.kind, () => meta.ping()],
          ['hot', hot.kind, () => hot.ping()],
        ] as const
      ).map(async ([store, kind, ping]) => {
        try {
          await ping();
          return { store, kind, ok: true as const };
        } catch (error) {
          return { store, kind, ok: false as const, error: (error as Error).message };
        }
      }),
    );
    const failing = checks.filter((check) => !check.ok);
    return reply.status(failing.length === 0 ? 200 : 503).send({
      status: failing.length === 0 ? 'ready' : 'unavailable',
      ...(failing.length > 0 && {
        message: `unreachable: ${failing.map((check) => `${check.store} (${check.kind})`).join(', ')}`,
      }),
      stores: checks,
      spooling: app.eventWriter.isSpooling,
    });
  });
}
