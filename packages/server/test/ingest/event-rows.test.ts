import { buildEventRow } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import { joinEventRows, splitEventRows } from '../../src/ingest/event-rows';
import { groupByPartition } from '../../src/ingest/isolating-insert';

const tenant = { orgId: 'org_a', projectId: 'proj_a', retentionDays: 90 };

describe('splitEventRows', () => {
  it('reads each row’s org, id and time without parsing it, whatever its strings hold', () => {
    const tricky = buildEventRow(
      {
        event_type: 'custom',
        event_id: '01HZZZZZZZZZZZZZZZZZZZZZZZ',
        ts: Date.UTC(2024, 4, 1),
        // A value that looks like the keys, quotes and newlines included.
        name: '"event_id":"FAKE","org_id":"org_b","ts":"1999-01-01"\n',
        metadata: { event_id: 'NESTED', org_id: 'org_c' },
      },
      tenant,
    );
    const rows = Buffer.from(`${JSON.stringify(tricky)}\n\n${JSON.stringify({ x: 1 })}\n`);
    const lines = splitEventRows(rows);
    expect(lines.map(({ orgId, eventId, ts }) => ({ orgId, eventId, ts }))).toEqual([
      { orgId: 'org_a', eventId: '01HZZZZZZZZZZZZZZZZZZZZZZZ', ts: '2024-05-01 00:00:00.000' },
      { orgId: '', eventId: '', ts: '' },
    ]);
    expect(joinEventRows(lines).toString()).toBe(
      `${JSON.stringify(tricky)}\n${JSON.stringify({ x: 1 })}\n`,
    );
  });

  it('reads an escaped org id as its value', () => {
    const [line] = splitEventRows(Buffer.from('{"org_id":"a\\"b","event_id":"E"}'));
    expect(line).toMatchObject({ orgId: 'a"b', eventId: 'E' });
  });
});

describe('groupByPartition', () => {
  const monthly = (count: number) =>
    splitEventRows(
      Buffer.from(
        Array.from({ length: count }, (_, index) =>
          JSON.stringify(
            buildEventRow({ event_type: 'custom', ts: Date.UTC(2010, index, 2) }, tenant),
          ),
        ).join('\n'),
      ),
    );

  it('keeps a batch of up to 100 months as it is', () => {
    const lines = monthly(100);
    expect(groupByPartition(lines)).toEqual([lines]);
  });

  it('splits a wider batch into inserts of at most 100 months, each month in one', () => {
    const lines = [...monthly(250), ...monthly(3)];
    const groups = groupByPartition(lines);
    expect(groups.map((group) => new Set(group.map((line) => line.ts.slice(0, 7))).size)).toEqual([
      100, 100, 50,
    ]);
    expect(groups.flat()).toHaveLength(253);
  });
});
