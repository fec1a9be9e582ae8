import { EVENT_COLUMNS, type SchemaMigrationResult } from '@tollgate/core';
import type { EventDriver } from './driver';
import { EventStoreError } from './event-store-error';
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

const EVENT_COLUMNS_SQL = `SELECT name, type FROM system.columns
WHERE database = currentDatabase() AND table = 'events'`;

/**
 * Checks, after migrating, that the stored `events` table has every column of
 * the event model with its type, so a change to `EVENT_COLUMNS` without a
 * migration stops the start with a clear message instead of failing inserts.
 */
export async function checkEventColumns(driver: EventDriver): Promise<void> {
  const rows = await driver.query<{ name: string; type: string }>(EVENT_COLUMNS_SQL);
  const stored = new Map(rows.map((row) => [row.name, row.type]));
  const problems: string[] = [];
  for (const [name, declared] of Object.entries(EVENT_COLUMNS)) {
    const expected = declared.replace(/\s+CODEC\(.*\)$/, '');
    const type = stored.get(name);
    if (type === undefined) problems.push(`${name} is missing (expected ${expected})`);
    else if (type !== expected) problems.push(`${name} is ${type} (expected ${expected})`);
  }
  if (problems.length > 0) {
    throw new EventStoreError(
      'statement_failed',
      `the events table does not match the event model: ${problems.join('; ')}. A migration is missing in stores/events/migrations.ts`,
    );
  }
}
