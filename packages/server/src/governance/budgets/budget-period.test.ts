import type { Budget } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import { periodOf } from './budget-period';
import { parseUsd, softLimitNanos, stateOf } from './budget-state';
import { estimateCostNanos } from './budget-estimate';

const budget = (amountUsd: string, softThreshold = 0.8): Budget => ({
  id: 'bdg_1',
  orgId: 'org_1',
  scope: 'org',
  scopeId: 'org_1',
  period: 'day',
  amountNanos: parseUsd(amountUsd)!,
  softThreshold,
  webhookUrl: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

describe('budget periods (UTC)', () => {
  it('gives a day its key and [midnight, next midnight)', () => {
    const window = periodOf('day', Date.parse('2026-11-23T23:59:59.999Z'));
    expect(window).toEqual({
      key: '2026-11-23',
      start: Date.parse('2026-11-23T00:00:00Z'),
      end: Date.parse('2026-11-24T00:00:00Z'),
    });
    expect(periodOf('day', window.end).key).toBe('2026-11-24');
  });

  it('gives a calendar month its key, across a year end and a leap February', () => {
    expect(periodOf('month', Date.parse('2026-12-31T23:59:59.999Z'))).toEqual({
      key: '2026-12',
      start: Date.parse('2026-12-01T00:00:00Z'),
      end: Date.parse('2027-01-01T00:00:00Z'),
    });
    expect(periodOf('month', Date.parse('2028-02-29T12:00:00Z')).end).toBe(
      Date.parse('2028-03-01T00:00:00Z'),
    );
    expect(periodOf('month', Date.parse('2027-01-01T00:00:00Z')).key).toBe('2027-01');
  });
});

describe('budget amounts and states', () => {
  it('parses USD text exactly and refuses negative or malformed amounts', () => {
    expect(parseUsd('0.000000001')).toBe(1n);
    expect(parseUsd('25.5')).toBe(25_500_000_000n);
    expect(parseUsd('-1')).toBeUndefined();
    expect(parseUsd('1e3')).toBeUndefined();
    expect(parseUsd('0.0000000001')).toBeUndefined();
  });

  it('is ok below the soft threshold, soft from it, blocked from the limit', () => {
    const ten = budget('10', 0.8);
    expect(softLimitNanos(ten)).toBe(8_000_000_000n);
    expect(stateOf(ten, 7_999_999_999)).toBe('ok');
    expect(stateOf(ten, 8_000_000_000)).toBe('soft');
    expect(stateOf(ten, 9_999_999_999)).toBe('soft');
    expect(stateOf(ten, 10_000_000_000)).toBe('blocked');
    expect(stateOf(budget('0'), 0)).toBe('blocked');
  });
});

describe('cost estimate', () => {
  it('prices prompt plus max output with the dearest model, honouring overrides', () => {
    const size = { model: 'alias', promptTokens: 1_000, maxOutputTokens: 1_000 };
    const cheap = estimateCostNanos(size, ['alias', 'gpt-4o-mini'], undefined)!;
    const dear = estimateCostNanos(size, ['alias', 'gpt-4o-mini', 'gpt-4o'], undefined)!;
    expect(cheap).toBeGreaterThan(0);
    expect(dear).toBeGreaterThan(cheap);
    expect(estimateCostNanos(size, ['alias'], undefined)).toBeUndefined();
    const overridden = estimateCostNanos(size, ['alias'], {
      alias: { provider: 'openai', input: 1, output: 2 },
    });
    // 1 000 tokens at $1/M in, 1 000 at $2/M out: $0.003.
    expect(overridden).toBe(3_000_000);
  });
});
