// The container image and the compose stack set Tollgate's environment in files no other test
// loads: every variable they set must be one the configuration knows (docs/configuration.md is
// checked against the same schema), with a value it accepts. The image itself is built and run by
// scripts/image-smoke.sh in CI.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { environmentSchema, loadConfiguration } from '../../src/config';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const known = new Set(Object.keys(environmentSchema.shape));
/** Variables of Node itself, not Tollgate's configuration. */
const NODE_VARIABLES = new Set(['NODE_ENV']);

/** `${NAME:?message}` / `${NAME:-default}` as compose would expand them, with a sample secret. */
function expand(value: string): string {
  return value.replace(/\$\{([A-Z_]+)(?::[-?]([^}]*))?\}/g, (_match, name: string, fallback) =>
    name === 'TOLLGATE_SECRET_KEY'
      ? 'ab'.repeat(32)
      : name.endsWith('_PASSWORD')
        ? 'secret'
        : String(fallback ?? ''),
  );
}

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const environment = Object.fromEntries(
    [...dockerfile.matchAll(/^\s*(?:ENV\s+)?([A-Z_]+)=(\S+?)(?:\s*\\)?$/gm)].map((match) => [
      match[1]!,
      match[2]!,
    ]),
  );

  it('sets the documented variables the issue asks for, which the configuration accepts', () => {
    expect(environment).toMatchObject({ HOST: '0.0.0.0', TOLLGATE_DATA_DIR: '/data' });
    for (const name of Object.keys(environment)) {
      if (!NODE_VARIABLES.has(name)) expect(known, name).toContain(name);
    }
    const configuration = loadConfiguration(environment);
    expect(configuration.host).toBe('0.0.0.0');
    expect(configuration.dataDir).toBe('/data');
  });

  it('defaults BASE_IMAGE to the official Node 20 image, runs as a user, checks /healthz', () => {
    expect(dockerfile).toMatch(/^ARG BASE_IMAGE=node:20-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^USER tollgate$/m);
    expect(dockerfile).toMatch(/^VOLUME \/data$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
  });
});

describe('deploy/compose.yaml', () => {
  const compose = parse(read('deploy/compose.yaml'), { merge: true }) as {
    services: Record<string, { environment?: Record<string, string>; image?: string }>;
  };
  const replicas = Object.entries(compose.services).filter(([name]) =>
    name.startsWith('tollgate-'),
  );

  it('runs at least two replicas of the image behind a load balancer', () => {
    expect(replicas.length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['load-balancer', 'clickhouse', 'postgres', 'redis']),
    );
    const nginx = read('deploy/nginx.conf');
    for (const [name] of replicas) expect(nginx).toContain(`server ${name}:4000`);
  });

  it('gives every replica only documented variables, with values the configuration accepts', () => {
    for (const [name, service] of replicas) {
      const environment = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([key, value]) => [
          key,
          expand(String(value)),
        ]),
      );
      for (const key of Object.keys(environment)) expect(known, `${name}: ${key}`).toContain(key);
      const configuration = loadConfiguration(environment);
      expect(configuration.clickhouseUrl, name).toBe(
        'http://tollgate:secret@clickhouse:8123/tollgate',
      );
      expect(configuration.databaseUrl, name).toBe(
        'postgres://tollgate:secret@postgres:5432/tollgate',
      );
      expect(configuration.redisUrl, name).toBe('redis://redis:6379');
    }
  });
});
