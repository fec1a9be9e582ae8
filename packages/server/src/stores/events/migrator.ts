import type { SchemaMigrationResult } from '@tollgate/core';
import type { EventDriver } from './driver';
import { MIGRATIONS, SCHEMA_VERSION_TABLE, type Migration } from './schema';

/** The highest version recorded in `schema_version`; 0 for a new database. */
export async function readSchemaVersion(driver: EventDriver): Promise<number> {
  const rows = await driver.query<{ version: number }>(
    'SELECT toUInt32(max(version)) AS version FROM schema_version',
  );
  return rows[0]?.version ?? 0;
}

/**
 * Applies, in order, every migration newer than the recorded version, and
 * records each one after its last statement succeeded. Statements are
 * idempotent, so a migration cut short is simply applied again; two processes
 * migrating at once both succeed (each may record the version; the maximum is
 * what counts).
 */
export async function migrateEventSchema(
  driver: EventDriver,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<SchemaMigrationResult> {
  await driver.command(SCHEMA_VERSION_TABLE);
  const from = await readSchemaVersion(driver);
  let to = from;
  const pending = [...migrations].filter((migration) => migration.version > from);
  pending.sort((left, right) => left.version - right.version);
  for (const migration of pending) {
    for (const statement of migration.statements) await driver.command(statement);
    await driver.command(
      'INSERT INTO schema_version (version, applied_at) SELECT {version:UInt32}, now()',
      { version: migration.version },
    );
    to = migration.version;
  }
  return { from, to };
}
