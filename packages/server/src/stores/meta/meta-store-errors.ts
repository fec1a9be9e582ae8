/** Postgres SQLSTATE for a unique constraint violation. */
const UNIQUE_VIOLATION = '23505';
/** Postgres SQLSTATE for a foreign key violation. */
const FOREIGN_KEY_VIOLATION = '23503';

/**
 * True when a meta store write failed because a unique value is taken (a
 * project name within its org, a key hash). Works for PGlite and Postgres, and
 * looks through Drizzle's query error wrapper (`cause`).
 */
export function isUniqueViolation(error: unknown): boolean {
  return findSqlState(error) === UNIQUE_VIOLATION;
}

/** True when a meta store write referenced a row that does not exist (or belongs to another org). */
export function isForeignKeyViolation(error: unknown): boolean {
  return findSqlState(error) === FOREIGN_KEY_VIOLATION;
}

function findSqlState(error: unknown): string | undefined {
  for (let current = error, depth = 0; depth < 5; depth += 1) {
    if (typeof current !== 'object' || current === null) return undefined;
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}
