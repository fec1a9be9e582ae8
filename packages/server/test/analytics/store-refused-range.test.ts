import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server';

// A range the API accepts but the store refuses (both ends near 2^53 ms) makes every read of a
// page fail at once: each must reject through its own promise, or the ones started beside it
// are left as unhandled rejections, which end a real server process.
describe('a time range the event store refuses', () => {
  let server: TestServer;
  const unhandled: unknown[] = [];
  const collect = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', collect);
    server = await startTestServer();
  });
  afterAll(async () => {
    process.off('unhandledRejection', collect);
    await server?.close();
  });

  it.each([
    '/api/v1/analytics/fallbacks',
    '/api/v1/analytics/quality/failures',
    '/api/v1/analytics/quality/slowest',
  ])('%s answers 4xx and leaves no unhandled rejection', async (path) => {
    const response = await server.request(`${path}?from=9007199168340992&to=9007199254740992`, {
      key: server.tenant.adminKey,
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(unhandled).toEqual([]);
  });
});
