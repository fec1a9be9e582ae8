/**
 * The real server in front of loopback upstreams: a routes file written from
 * YAML lines, the official clients pointed at the gateway with the project
 * key, and where to read the events its calls left.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createTempDir } from './temp-dir';
import type { BuildAppOptions } from '../../src/app';
import { startTestServer, type TestServer } from './test-server';

export interface GatewayServer {
  server: TestServer;
  /** The server's URL and project key, to read events back (gateway/gateway-call-records). */
  reader: { url: string; key: string };
  openai: OpenAI;
  anthropic: Anthropic;
  /** Closes the server and removes its routes file and data. */
  close(): Promise<void>;
}

/** Where a deployment sends its calls: a loopback upstream. */
interface UpstreamAddress {
  url: string;
}

interface DeploymentSettings {
  /** The provider's model; gpt-4o-mini (OpenAI) or claude-sonnet-4-5 (Anthropic) unless given. */
  model?: string;
  priority?: number;
  /** Retries on the same deployment; 0 unless given. */
  maxRetries?: number;
  timeoutMs?: number;
}

/** A route's YAML lines: the model and its deployments (each one of the flow maps below). */
export function route(model: string, ...deployments: string[]): string {
  return [
    `  - model: ${model}`,
    '    deployments:',
    ...deployments.map((each) => `      - ${each}`),
  ].join('\n');
}

/** An OpenAI deployment on a loopback upstream, keyed by `TEST_OPENAI_KEY`. */
export function openAIDeployment(
  id: string,
  upstream: UpstreamAddress,
  settings: DeploymentSettings = {},
): string {
  return deployment(id, 'openai', settings.model ?? 'gpt-4o-mini', `${upstream.url}/v1`, settings);
}

/** An Anthropic deployment on a loopback upstream, keyed by `TEST_ANTHROPIC_KEY`. */
export function anthropicDeployment(
  id: string,
  upstream: UpstreamAddress,
  settings: DeploymentSettings = {},
): string {
  return deployment(id, 'anthropic', settings.model ?? 'claude-sonnet-4-5', upstream.url, settings);
}

/** A deployment of any HTTP provider on a loopback upstream, keyed by `TEST_OPENAI_KEY` unless Anthropic. */
export function providerDeployment(
  id: string,
  provider: 'openai' | 'openai-compatible' | 'anthropic' | 'gemini',
  model: string,
  upstream: UpstreamAddress,
  settings: DeploymentSettings = {},
): string {
  const baseUrl = provider === 'openai' || provider === 'openai-compatible' ? '/v1' : '';
  return deployment(id, provider, model, `${upstream.url}${baseUrl}`, settings);
}

function deployment(
  id: string,
  provider: 'openai' | 'openai-compatible' | 'anthropic' | 'gemini',
  model: string,
  baseUrl: string,
  settings: DeploymentSettings,
): string {
  const key = provider === 'anthropic' ? 'TEST_ANTHROPIC_KEY' : 'TEST_OPENAI_KEY';
  const priority = settings.priority === undefined ? '' : `, priority: ${settings.priority}`;
  const timeout = settings.timeoutMs === undefined ? '' : `, timeoutMs: ${settings.timeoutMs}`;
  return `{ id: ${id}, provider: ${provider}, model: ${model}, baseUrl: "${baseUrl}", apiKeyEnv: ${key}${priority}, maxRetries: ${settings.maxRetries ?? 0}${timeout} }`;
}

/**
 * Starts the server with these routes (from `route`) and any more environment
 * (breaker settings, timeouts...) and app options (a manual `clock`). Opening
 * the embedded stores takes seconds, many more on a busy machine: call it from
 * a `beforeAll` with a long timeout.
 */
export async function startGatewayServer(
  routes: string[],
  environment: Record<string, string> = {},
  build: BuildAppOptions = {},
): Promise<GatewayServer> {
  const directory = createTempDir();
  const file = join(directory.path, 'routes.yaml');
  writeFileSync(file, ['routes:', ...routes, ''].join('\n'));
  let server: TestServer;
  try {
    server = await startTestServer({
      environment: {
        TOLLGATE_ROUTES: file,
        TEST_OPENAI_KEY: 'sk-test-openai',
        TEST_ANTHROPIC_KEY: 'sk-ant-test',
        ...environment,
      },
      build,
    });
  } catch (error) {
    directory.remove();
    throw error;
  }
  const key = server.tenant.projectKey;
  return {
    server,
    reader: { url: server.url, key },
    openai: new OpenAI({ apiKey: key, baseURL: `${server.url}/v1`, maxRetries: 0 }),
    anthropic: new Anthropic({ apiKey: key, baseURL: server.url, maxRetries: 0 }),
    async close() {
      await server.close();
      directory.remove();
    },
  };
}
