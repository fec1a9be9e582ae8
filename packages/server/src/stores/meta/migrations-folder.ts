import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the meta store's migrations are, looked for relative to this module:
 * - from source (tsx, vitest): `src/stores/meta/migrations`, beside this file;
 * - from the production bundle (`dist/main.js`): `dist/migrations/meta`, where
 *   the build copies the folder.
 * An explicit folder (the `migrationsFolder` option) always wins.
 */
export function resolveMetaMigrationsFolder(explicitFolder?: string): string {
  const candidates = explicitFolder
    ? [explicitFolder]
    : [
        fileURLToPath(new URL('./migrations', import.meta.url)),
        fileURLToPath(new URL('./migrations/meta', import.meta.url)),
      ];
  const folder = candidates.find((candidate) =>
    existsSync(join(candidate, 'meta', '_journal.json')),
  );
  if (folder === undefined) {
    throw new Error(
      `Meta store migrations not found (no meta/_journal.json) in: ${candidates.join(', ')}. ` +
        'Pass the folder as the migrationsFolder option.',
    );
  }
  return folder;
}
