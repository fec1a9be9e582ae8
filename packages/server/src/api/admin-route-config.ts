import { simulatedOptionsSchema } from '../gateway/providers/simulated/simulated-options';
import { routeConfigSchema, type RouteConfig } from '../gateway/routing/route-config';
import { deploymentIdOf } from '../gateway/routing/route-table';
import { invalidField, parseBody } from './admin-access';

const RESERVED_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'proxy-authorization',
]);

/**
 * Validates a route stored through the admin API, for `model` (from the
 * path): the routes-file schema, plus what only an org route must not do or
 * what would otherwise fail at call time. Returns the config with defaults applied.
 */
export function parseAdminRouteConfig(
  body: unknown,
  model: string,
  credentialNames: ReadonlySet<string>,
): RouteConfig {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidField('body', 'expected a JSON object: { model?, deployments, ... }');
  }
  const given = (body as { model?: unknown }).model;
  if (given !== undefined && given !== model) {
    throw invalidField(
      'model',
      `the body names ${JSON.stringify(given)} but the path names ${JSON.stringify(model)}`,
    );
  }
  const route = parseBody(routeConfigSchema, { ...body, model });

  const ids = new Set<string>();
  route.deployments.forEach((deployment, index) => {
    const field = `deployments.${index}`;
    // The server's environment belongs to the operator: a tenant naming a variable could send
    // any of its values (TOLLGATE_SECRET_KEY, DATABASE_URL) to a baseUrl of its choosing.
    if (deployment.apiKeyEnv !== undefined) {
      throw invalidField(
        `${field}.apiKeyEnv`,
        'is allowed only in the routes file (TOLLGATE_ROUTES); store the key with PUT /api/v1/admin/credentials/:name and name it in "credential"',
      );
    }
    if (deployment.credential !== undefined && !credentialNames.has(deployment.credential)) {
      throw invalidField(
        `${field}.credential`,
        `this organization has no credential named "${deployment.credential}"; add it with PUT /api/v1/admin/credentials/${deployment.credential}`,
      );
    }
    const id = deploymentIdOf(deployment);
    if (ids.has(id)) {
      throw invalidField(
        deployment.id === undefined ? field : `${field}.id`,
        `deployment id "${id}" is used twice in this route; give each deployment its own id`,
      );
    }
    ids.add(id);
    // A base URL names a server and a path prefix: a query string or fragment would steer the
    // provider's own path (`?x=` swallows it) to any path of the target.
    if (deployment.baseUrl !== undefined) {
      const url = new URL(deployment.baseUrl);
      if (
        url.search ||
        url.hash ||
        deployment.baseUrl.includes('?') ||
        deployment.baseUrl.includes('#')
      ) {
        throw invalidField(`${field}.baseUrl`, 'takes no query string or fragment');
      }
    }
    // The URL alone names where a call goes; hop-by-hop and Tollgate's own headers are not a
    // tenant's to set.
    for (const name of Object.keys(deployment.headers ?? {})) {
      if (
        RESERVED_HEADERS.has(name.toLowerCase()) ||
        name.toLowerCase().startsWith('x-tollgate-')
      ) {
        throw invalidField(
          `${field}.headers.${name}`,
          'this header is set by Tollgate, not by a route',
        );
      }
    }
    if (deployment.provider === 'simulated') {
      const options = simulatedOptionsSchema.safeParse(deployment.options ?? {});
      if (!options.success) {
        const issue = options.error.issues[0]!;
        throw invalidField([`${field}.options`, ...issue.path].join('.'), issue.message);
      }
    }
  });
  return route;
}
