import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** The dashboard page: the built `packages/web/dist` when present, else the placeholder page. */
function findDashboardPage(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  // From source (src/api) or from the bundle (dist/): packages/web is two or three levels up.
  for (const web of [join(here, '../../../web'), join(here, '../../web')]) {
    for (const page of [join(web, 'dist/index.html'), join(web, 'index.html')]) {
      if (existsSync(page)) return page;
    }
  }
  return undefined;
}

export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  const page = findDashboardPage();
  const html = page
    ? readFileSync(page)
    : Buffer.from('<!doctype html><title>Tollgate</title><h1>Tollgate</h1>');
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(html));
}
