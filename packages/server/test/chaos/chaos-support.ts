/**
 * Shared by the reliability scenarios (`npm run test:chaos`): the one summary
 * line each prints, reading a run's events back through the read API, and the
 * seed that makes a random scenario reproducible.
 */

/** Prints a scenario's summary line: what was tried, how many, and what was lost. */
export function printSummary(scenario: string, line: string): void {
  console.log(`[chaos] ${scenario}: ${line}`);
}

/**
 * The seed of a randomized scenario: from the named environment variable when
 * set (to replay a run), else fresh. Printed by the caller so a failure can be replayed.
 */
export function chaosSeed(variable: string): number {
  const given = process.env[variable];
  if (given === undefined || given === '') return Math.floor(Math.random() * 2 ** 31);
  const seed = Number(given);
  if (!Number.isInteger(seed)) throw new Error(`${variable} must be an integer, got "${given}"`);
  return seed;
}

/** The fields of a stored event these scenarios look at. */
export interface StoredEvent {
  event_id: string;
  event_type: string;
  request_id: string;
  name: string;
  status: string;
}

/** Every event of a run, page by page, as `GET /api/v1/events` returns them. */
export async function listRunEvents(
  url: string,
  key: string,
  runId: string,
): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let cursor: string | null = null;
  do {
    const query = `run_id=${encodeURIComponent(runId)}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await fetch(`${url}/api/v1/events?${query}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    if (response.status !== 200) {
      throw new Error(`GET /api/v1/events: ${response.status} ${await response.text()}`);
    }
    const page = (await response.json()) as { events: StoredEvent[]; next_cursor: string | null };
    events.push(...page.events);
    cursor = page.next_cursor;
  } while (cursor);
  return events;
}

/** How many times each value occurs. */
export function occurrences(values: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** Compares what was acknowledged with what is stored: missing ones and ids stored twice. */
export function reconcile(
  acknowledged: Iterable<string>,
  stored: Iterable<string>,
): { lost: string[]; duplicated: string[] } {
  const counts = occurrences(stored);
  return {
    lost: [...acknowledged].filter((id) => !counts.has(id)),
    duplicated: [...counts].filter(([, count]) => count > 1).map(([id]) => id),
  };
}
