import { describe, expect, it } from 'vitest';
import { eventTimeFromId } from '../ids';
import { EVENT_COLUMNS } from './event-columns';
import { buildEventRow, formatEventTime, parseEventTime } from './build-event-row';
import { EVENT_TYPES, eventInputSchema, eventJsonSchema } from './event-schema';

const tenant = { orgId: 'org_1', projectId: 'proj_1', retentionDays: 90 };

describe('event model', () => {
  it('has a storage column for every field of every event type', () => {
    const columns = new Set(Object.keys(EVENT_COLUMNS));
    const inputOnly = new Set(['cost_usd', 'usage_convention']); // cost_nanos; tokens stored normalised
    for (const variant of eventInputSchema.options) {
      for (const field of Object.keys(variant.shape)) {
        if (inputOnly.has(field)) continue;
        expect(columns.has(field), `${variant.shape.event_type.value}.${field} has no column`).toBe(
          true,
        );
      }
    }
  });

  it('builds a row with exactly the storage columns', () => {
    const row = buildEventRow(
      eventInputSchema.parse({ event_type: 'custom' }),
      tenant,
      1_700_000_000_000,
    );
    expect(Object.keys(row)).toEqual(Object.keys(EVENT_COLUMNS));
  });

  it('covers every event type of the design, each in the JSON Schema', () => {
    expect(eventInputSchema.options.map((variant) => variant.shape.event_type.value)).toEqual([
      ...EVENT_TYPES,
    ]);
    const schema = JSON.stringify(eventJsonSchema());
    for (const type of EVENT_TYPES) expect(schema).toContain(`"${type}"`);
  });

  it('derives the event time from the id when no ts is given, and the id from ts otherwise', () => {
    const now = Date.UTC(2026, 10, 23, 12, 0, 0, 123);
    const fromNow = buildEventRow(eventInputSchema.parse({ event_type: 'custom' }), tenant, now);
    expect(eventTimeFromId(fromNow.event_id)).toBe(now);
    expect(fromNow.ts).toBe('2026-11-23 12:00:00.123');

    const given = '01JD0000000000000000000000';
    const fromId = buildEventRow(
      eventInputSchema.parse({ event_type: 'custom', event_id: given }),
      tenant,
      now,
    );
    expect(parseEventTime(fromId.ts)).toBe(eventTimeFromId(given));

    const ts = Date.UTC(2025, 0, 1);
    const fromTs = buildEventRow(
      eventInputSchema.parse({ event_type: 'custom', ts: new Date(ts).toISOString() }),
      tenant,
      now,
    );
    expect(parseEventTime(fromTs.ts)).toBe(ts);
    expect(eventTimeFromId(fromTs.event_id)).toBe(ts);
  });

  it('takes tenant fields from the key and computes cost unless given', () => {
    const computed = buildEventRow(
      eventInputSchema.parse({
        event_type: 'prompt_call',
        model: 'gpt-4o-mini',
        input_tokens: 2_000_000,
        output_tokens: 1_000_000,
      }),
      tenant,
    );
    // 2M × $0.15/M + 1M × $0.60/M = $0.90
    expect(computed.cost_nanos).toBe(900_000_000);
    expect(computed.org_id).toBe('org_1');
    expect(computed.retention_days).toBe(90);
    expect(computed.operation).toBe('chat');
    const given = buildEventRow(
      eventInputSchema.parse({ event_type: 'prompt_call', model: 'gpt-4o', cost_usd: 0.25 }),
      tenant,
    );
    expect(given.cost_nanos).toBe(250_000_000);
    expect(given.cost_unpriced).toBe(0);
  });

  it('rejects wrong types and out-of-range values, naming the field', () => {
    const cases: Array<[unknown, string]> = [
      [{ event_type: 'prompt_call', input_tokens: 1.5 }, 'input_tokens'],
      [{ event_type: 'agent_step' }, 'step_number'],
      [{ event_type: 'custom', status: 'fine' }, 'status'],
      [{ event_type: 'custom', event_id: 'not-a-ulid' }, 'event_id'],
      [{ event_type: 'custom', ts: 'yesterday' }, 'ts'],
      [{ event_type: 'guardrail', action: 'block', score: 2 }, 'score'],
      [{ event_type: 'custom', tags: Array.from({ length: 65 }, () => 't') }, 'tags'],
    ];
    for (const [input, field] of cases) {
      const result = eventInputSchema.safeParse(input);
      expect(result.success, JSON.stringify(input)).toBe(false);
      expect(result.error!.issues[0]!.path[0]).toBe(field);
    }
  });

  it('formats and parses ClickHouse times in UTC', () => {
    const ms = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    expect(formatEventTime(ms)).toBe('2026-01-02 03:04:05.006');
    expect(parseEventTime(formatEventTime(ms))).toBe(ms);
  });
});
