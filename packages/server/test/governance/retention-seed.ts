/**
 * Events of several ages for the retention tests, written straight into the
 * event store as the writer would (one batch), with a long `retention_days`
 * (the org's policy when they were written) so the tables' TTL leaves them:
 * only the retention job's work removes them.
 */
import { randomUUID } from 'node:crypto';
import { buildEventRow, type EventStore, type ParsedEventInput } from '@tollgate/core';

export const DAY_MS = 86_400_000;
/** The policy the seeded rows were written under. */
export const SEEDED_RETENTION_DAYS = 3_650;

export interface SeededEvent {
  ageDays: number;
  event: ParsedEventInput;
}

export const promptCall = (ageDays: number): SeededEvent => ({
  ageDays,
  event: { event_type: 'prompt_call', model: 'gpt-4o-mini', input_tokens: 10, output_tokens: 5 },
});
export const toolCall = (ageDays: number): SeededEvent => ({
  ageDays,
  event: { event_type: 'tool_call', tool_name: 'search' },
});
export const agentStep = (ageDays: number): SeededEvent => ({
  ageDays,
  event: { event_type: 'agent_step', step_number: 1, step_name: 'plan' },
});

export async function seedEvents(
  events: EventStore,
  tenant: { orgId: string; projectId: string },
  seeded: SeededEvent[],
  now: number,
): Promise<void> {
  const rows = seeded.map(({ ageDays, event }) =>
    JSON.stringify(
      buildEventRow(
        { ...event, ts: now - ageDays * DAY_MS, run_id: `run-${ageDays}` },
        { ...tenant, retentionDays: SEEDED_RETENTION_DAYS },
        now,
      ),
    ),
  );
  await events.insert({
    id: randomUUID(),
    rows: Buffer.from(`${rows.join('\n')}\n`),
    rowCount: rows.length,
  });
}

/** The ages in days (rounded) of the org's stored events, by type, youngest first. */
export async function storedAges(
  events: EventStore,
  orgId: string,
  now: number,
): Promise<Record<string, number[]>> {
  const page = await events.listEvents(
    { orgId },
    { from: now - 4_000 * DAY_MS, to: now + DAY_MS, limit: 1_000 },
  );
  const ages: Record<string, number[]> = {};
  for (const row of page.events) {
    const age = Math.round((now - Date.parse(`${row.ts.replace(' ', 'T')}Z`)) / DAY_MS);
    (ages[row.event_type] ??= []).push(age);
  }
  for (const list of Object.values(ages)) list.sort((left, right) => left - right);
  return ages;
}
