import { describe, expect, it } from 'vitest';
import {
  applyRate,
  divideRounded,
  formatUsdNanos,
  parseDecimalRate,
  parseUsdNanos,
  roundToCents,
} from './money';

describe('exact money', () => {
  it('formats nanos as USD without float drift', () => {
    expect(formatUsdNanos(1_500_000n)).toBe('0.0015');
    expect(formatUsdNanos(12_500_000_000n)).toBe('12.50');
    expect(formatUsdNanos(-1n)).toBe('-0.000000001');
    expect(formatUsdNanos(12_345_678_901_234_567_891n)).toBe('12345678901.234567891');
    expect(formatUsdNanos(1_005_000_000n, 2)).toBe('1.01');
    expect(formatUsdNanos(1_004_999_999n, 2)).toBe('1.00');
    expect(formatUsdNanos(7n, 0)).toBe('0');
  });

  it('sums what floats cannot: 0.1 + 0.2 dollars', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(formatUsdNanos(parseUsdNanos('0.1') + parseUsdNanos('0.2'))).toBe('0.30');
  });

  it('parses rates and applies them exactly, rounding half away from zero', () => {
    const rate = parseDecimalRate('1.2')!;
    expect(rate).toMatchObject({ numerator: 12n, denominator: 10n });
    expect(applyRate(1_000_000_001n, rate)).toBe(1_200_000_001n);
    expect(applyRate(5n, parseDecimalRate('0.5')!)).toBe(3n);
    expect(parseDecimalRate('1e3')).toBeUndefined();
    expect(parseDecimalRate('-1')).toBeUndefined();
    expect(divideRounded(-5n, 2n)).toBe(-3n);
    expect(roundToCents(12_345_000n)).toBe(10_000_000n);
    expect(roundToCents(15_000_000n)).toBe(20_000_000n);
  });

  it('parses USD text back to nanos', () => {
    expect(parseUsdNanos('12.50')).toBe(12_500_000_000n);
    expect(parseUsdNanos('-0.000000001')).toBe(-1n);
    expect(() => parseUsdNanos('1.0000000001')).toThrow(RangeError);
  });
});
