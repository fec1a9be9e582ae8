import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildAppOptions } from '../../src/app';
import { bootstrapDefaultTenant, type BootstrapResult } from '../../src/bootstrap';
import { loadConfiguration, type Configuration } from '../../src/config';
import { createTempDir } from './temp-dir';

export interface TestServer {
  app: FastifyInstance;
  url: string;
  configuration: Configuration;
  tenant: BootstrapResult;
  /** fetch against the server with a key (the project key unless given). */
  request(path: string, init?: RequestInit & { key?: string }): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The real app on a random loopback port with fresh embedded stores in a temp
 * directory, or on the stores of `dataDir` (kept when the server closes).
 */
export async function startTestServer(
  options: {
    environment?: Record<string, string>;
    build?: BuildAppOptions;
    dataDir?: string;
  } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ? { path: options.dataDir, remove: () => {} } : createTempDir();
  const configuration = loadConfiguration({
    TOLLGATE_DATA_DIR: dataDir.path,
    LOG_LEVEL: 'warn',
    PORT: '0',
    // Tests' upstreams and webhook receivers listen on loopback; the default (no private address
    // for tenants) is tested by naming TOLLGATE_OUTBOUND_ALLOW: '' (test/tenancy/).
    TOLLGATE_OUTBOUND_ALLOW: '127.0.0.1',
    ...options.environment,
  });
  const app = await buildApp(configuration, {
    logger: false,
    strictAnswers: true,
    ...options.build,
  });
  // Undefined when `dataDir` already holds an org (a restart): its keys were shown the first time.
  const tenant = (await bootstrapDefaultTenant(app.stores.meta))!;
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    url,
    configuration,
    tenant,
    request(path, init = {}) {
      const { key = tenant.projectKey, headers, ...rest } = init;
      return fetch(`${url}${path}`, {
        ...rest,
        headers: { authorization: `Bearer ${key}`, ...(headers as Record<string, string>) },
      });
    },
    async close() {
      await app.close();
      dataDir.remove();
    },
  };
}

export function postJson(
  server: TestServer,
  path: string,
  body: unknown,
  key?: string,
): Promise<Response> {
  return server.request(path, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    key,
  });
}
