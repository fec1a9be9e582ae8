import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, environmentSchema, loadConfiguration } from './config';

describe('configuration', () => {
  it('defaults to a loopback server on port 4000 with embedded stores', () => {
    const configuration = loadConfiguration({});
    expect(configuration.port).toBe(4000);
    expect(configuration.host).toBe('127.0.0.1');
    expect(configuration.dataDir.endsWith('/data')).toBe(true);
    expect(configuration.clickhouseUrl).toBeUndefined();
    expect(configuration.databaseUrl).toBeUndefined();
    expect(configuration.redisUrl).toBeUndefined();
    expect(configuration.metaSharedBuffersMb).toBe(16);
    expect(loadConfiguration({ TOLLGATE_META_SHARED_BUFFERS_MB: '128' }).metaSharedBuffersMb).toBe(
      128,
    );
  });

  it('stops on a bad value with a message naming the variable', () => {
    expect(() => loadConfiguration({ PORT: 'eighty' })).toThrow(ConfigurationError);
    expect(() => loadConfiguration({ PORT: '70000' })).toThrow(/PORT="70000"/);
    expect(() => loadConfiguration({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfiguration({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfiguration({ TOLLGATE_META_SHARED_BUFFERS_MB: '256' })).toThrow(
      /TOLLGATE_META_SHARED_BUFFERS_MB="256"/,
    );
  });

  it('is documented variable by variable, with its default, in docs/configuration.md', () => {
    const readme = readFileSync(
      join(dirname(fileURLToPath(import.meta.url)), '../../../docs/configuration.md'),
      'utf8',
    );
    const documented = [...readme.matchAll(/^\| `([A-Z_]+)` +\| ([^|]+) \|/gm)].map((match) => [
      match[1],
      match[2]!.trim(),
    ]);
    expect(documented.map(([name]) => name).sort()).toEqual(
      Object.keys(environmentSchema.shape).sort(),
    );
    const defaults = environmentSchema.parse({});
    for (const [name, shown] of documented) {
      const value = defaults[name as keyof typeof defaults];
      if (value === undefined) expect(shown, name).toMatch(/^\(unset/);
      else expect(shown, name).toBe(`\`${String(value)}\``);
    }
  });
});
