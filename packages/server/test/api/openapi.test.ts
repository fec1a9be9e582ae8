/**
 * The OpenAPI document is generated from the routes' own zod schemas: every route registered
 * under /api/v1 is in it with its method, it and the UI at /docs need no key, and a route whose
 * body is validated by its declared schema still answers the catalogue's 400 naming the field,
 * and the dashboard's reads describe their answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
}, 120_000);

afterAll(async () => {
  await server?.close();
});

/** A JSON Schema, as much of it as these tests read. */
interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { name: string; in: string }[];
        responses?: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
      }
    >
  >;
}

/**
 * Every route the app registered, read from Fastify's own route tree (`printRoutes`): each line
 * is a node whose path continues its parent's, with its methods in parentheses.
 */
function registeredRoutes(printed: string): { method: string; url: string }[] {
  const routes: { method: string; url: string }[] = [];
  const stack: string[] = [];
  for (const line of printed.split('\n')) {
    const match = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const url = (stack[depth - 1] ?? '') + match[2]!;
    stack.push(url);
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, url });
  }
  return routes;
}

/** `/api/v1/prompts/:name` as OpenAPI writes it: `/api/v1/prompts/{name}`. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z_]+)/g, '{$1}');

describe('OpenAPI document', () => {
  it('lists every registered /api/v1 route with its method, and no key is needed to read it', async () => {
    const response = await fetch(`${server.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as OpenApiDocument;
    expect(document.openapi).toMatch(/^3\./);
    const api = registeredRoutes(server.app.printRoutes({ commonPrefix: false })).filter(
      (route) => route.url.startsWith('/api/v1/') && route.method !== 'HEAD',
    );
    expect(api.length).toBeGreaterThan(50);
    const missing = api.filter(
      (route) => !document.paths[openApiPath(route.url)]?.[route.method.toLowerCase()],
    );
    expect(missing).toEqual([]);
    // Nothing outside the API (the gateway speaks provider formats) is described as part of it.
    expect(Object.keys(document.paths).filter((path) => !path.startsWith('/api/v1/'))).toEqual([]);
  });

  it('describes a route’s query parameters from its zod schema', async () => {
    const document = (await (
      await fetch(`${server.url}/api/v1/openapi.json`)
    ).json()) as OpenApiDocument;
    const parameters = document.paths['/api/v1/admin/audit']?.get?.parameters ?? [];
    expect(parameters.map((parameter) => `${parameter.in}:${parameter.name}`).sort()).toEqual([
      'query:before',
      'query:limit',
    ]);
    // An analytics route: the shared parameters and its own, from one schema.
    const cost = document.paths['/api/v1/analytics/cost']?.get?.parameters ?? [];
    expect(cost.map((parameter) => parameter.name)).toEqual(
      expect.arrayContaining(['from', 'to', 'project_id', 'event_type', 'groupBy']),
    );
  });

  it('describes the answer of every route the dashboard reads, from the shared schemas', async () => {
    const document = (await (
      await fetch(`${server.url}/api/v1/openapi.json`)
    ).json()) as OpenApiDocument;
    // The reads of packages/web: their types come from these schemas (@tollgate/core/api).
    const dashboardReads = [
      '/api/v1/me',
      '/api/v1/admin/orgs',
      '/api/v1/admin/projects',
      '/api/v1/events',
      '/api/v1/events/{eventId}',
      '/api/v1/runs/{runId}',
      '/api/v1/analytics/overview',
      '/api/v1/analytics/cost',
      '/api/v1/analytics/cost/summary',
      '/api/v1/analytics/users',
      '/api/v1/analytics/users/{userId}',
      '/api/v1/analytics/sessions',
      '/api/v1/analytics/sessions/{sessionId}',
      '/api/v1/analytics/runs',
      '/api/v1/analytics/recommendations',
      '/api/v1/budgets',
      '/api/v1/budgets/check',
      '/api/v1/flags',
      '/api/v1/admin/flags',
      '/api/v1/prompts',
      '/api/v1/prompts/{name}',
      '/api/v1/providers/health',
      '/api/v1/admin/credentials',
      '/api/v1/prompts/{name}/comparison',
      '/api/v1/admin/projects/{id}/guardrails',
      '/api/v1/analytics/fallbacks',
      '/api/v1/analytics/chargeback',
    ];
    const undescribed = dashboardReads.filter(
      (path) =>
        !document.paths[path]?.get?.responses?.['200']?.content?.['application/json']?.schema,
    );
    expect(undescribed).toEqual([]);
    // Money is described as it is written: exact decimal strings, never a float.
    const overview = document.paths['/api/v1/analytics/overview']!.get!.responses!['200']!;
    const totals = overview.content!['application/json']!.schema.properties?.totals;
    expect(totals?.properties?.cost_usd?.type).toBe('string');
    expect(totals?.properties?.cost_nanos?.type).toBe('string');
  });

  it('serves the UI at /docs without a key, its assets from the server itself', async () => {
    const page = await fetch(`${server.url}/docs/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    const script = html.match(/src="\.?\/?([^"]*swagger-ui-bundle\.js)"/)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${server.url}/docs/${script!.replace(/^\.?\/?(docs\/)?/, '')}`);
    expect(asset.status).toBe(200);
    expect((await asset.text()).length).toBeGreaterThan(100_000);
  });

  it('answers a body its route schema refuses with the catalogue 400 naming the field', async () => {
    const response = await postJson(
      server,
      '/api/v1/admin/keys',
      { name: 'x', scopes: ['nonsense'] },
      server.tenant.adminKey,
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      error: { code: string; message: string; details: { field: string } };
    };
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toMatch(/^scopes\.0: /);
    expect(body.error.details.field).toBe('scopes.0');
  });

  it('still asks for a key before it looks at the body', async () => {
    const response = await fetch(`${server.url}/api/v1/admin/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scopes: 'bad' }),
    });
    expect(response.status).toBe(401);
  });
});
