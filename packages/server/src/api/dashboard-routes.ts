import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The dashboard's client-side pages: each answers `index.html` (a reload or a
 * shared link on `/costs?range=7d` opens the page). Listed rather than a
 * catch-all, so an unknown API path still gets the API's 404.
 */
export const DASHBOARD_PAGES = [
  'overview',
  'costs',
  'recommendations',
  'traces',
  'requests',
  'users',
  'sessions',
  'prompts',
  'providers',
  'routes',
  'budgets',
  'flags',
  'guardrails',
  'fallbacks',
  'alerts',
] as const;

/**
 * What the dashboard may load: its own scripts and styles (recharts sets inline style attributes),
 * images from itself or data URLs, requests to its own API; it may not be framed, and sends no
 * referrer (URLs carry ids and filters).
 */
export const DASHBOARD_SECURITY_HEADERS = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

/** `packages/web`, from source (src/api) or from the bundle (dist/). */
function findWebPackage(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, '../../../web'), join(here, '../../web')].find((web) =>
    existsSync(join(web, 'package.json')),
  );
}

/** The built dashboard (`packages/web/dist`, made by `npm run build`), else a placeholder page. */
export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  const web = findWebPackage();
  const dist = web && join(web, 'dist');
  const built = dist !== undefined && existsSync(join(dist, 'index.html'));
  const html = built
    ? readFileSync(join(dist, 'index.html'))
    : Buffer.from(
        '<!doctype html><title>Tollgate</title><h1>Tollgate</h1>' +
          '<p>The dashboard is not built: run <code>npm run build</code>.</p>',
      );
  const page = async (_request: unknown, reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').send(html);

  // This plugin is encapsulated: the headers go on the dashboard's pages and assets only.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(DASHBOARD_SECURITY_HEADERS);
    done();
  });
  app.get('/', page);
  for (const name of DASHBOARD_PAGES) {
    app.get(`/${name}`, page);
    app.get(`/${name}/*`, page);
  }
  if (built) {
    // Vite's hashed bundles: cached for good, since a new build has new names.
    await app.register(fastifyStatic, {
      root: join(dist, 'assets'),
      prefix: '/assets/',
      immutable: true,
      maxAge: '365d',
    });
  }
}
