import { describe } from 'vitest';

/**
 * Tests against real Postgres and Redis servers run when their URL is set.
 * Without it they are skipped with a message saying so, unless
 * TOLLGATE_REQUIRE_SERVICES=1 (CI), where a missing URL fails the run.
 */
export function describeWithService(
  variable: 'DATABASE_URL' | 'REDIS_URL',
  name: string,
  body: (url: string) => void,
): void {
  const url = process.env[variable];
  if (url) {
    describe(name, () => body(url));
    return;
  }
  if (process.env.TOLLGATE_REQUIRE_SERVICES === '1') {
    throw new Error(`${variable} is not set but TOLLGATE_REQUIRE_SERVICES=1: "${name}" cannot run`);
  }
  console.warn(`[skipped] ${name}: set ${variable} to run it against a real server`);
  describe.skip(`${name} (skipped: ${variable} not set)`, () => body(''));
}
