import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ProviderName } from '@tollgate/core';

const PROVIDERS_DIRECTORY = new URL('../../../src/gateway/providers/', import.meta.url);

/** A provider's recorded `.json` fixture, parsed. */
export function jsonFixture(provider: ProviderName, name: string): unknown {
  return JSON.parse(readFixture(provider, `${name}.json`));
}

/** A provider's `.chunks.txt` fixture: one SSE data payload per line. */
export function chunkFixture(provider: ProviderName, name: string): string[] {
  return readFixture(provider, `${name}.chunks.txt`)
    .split('\n')
    .filter((line) => line.trim() !== '');
}

function readFixture(provider: ProviderName, file: string): string {
  return readFileSync(
    fileURLToPath(new URL(`${provider}/__fixtures__/${file}`, PROVIDERS_DIRECTORY)),
    'utf8',
  );
}
