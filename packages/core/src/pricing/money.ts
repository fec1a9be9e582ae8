/**
 * Exact money arithmetic on `bigint` nano-dollars, for totals that may pass
 * 2^53 nanos (about 9 million USD) and for rates applied to them. Nothing here
 * goes through a float: a rate is parsed from its decimal text.
 */

const NANOS_PER_USD = 1_000_000_000n;
const NANOS_PER_CENT = 10_000_000n;

/** A decimal rate as an exact fraction: `"1.2"` is 12/10. */
export interface DecimalRate {
  numerator: bigint;
  denominator: bigint;
  /** The rate as given, normalised (`"1.20"` stays `"1.20"`). */
  text: string;
}

const DECIMAL = /^(\d{1,6})(?:\.(\d{1,6}))?$/;

/** Parses a non-negative decimal with at most 6 integer and 6 fraction digits; undefined when malformed. */
export function parseDecimalRate(text: string): DecimalRate | undefined {
  const match = DECIMAL.exec(text.trim());
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  return {
    numerator: BigInt(`${match[1]}${fraction}`),
    denominator: 10n ** BigInt(fraction.length),
    text: text.trim(),
  };
}

/** `a / b` rounded half away from zero (b > 0). */
export function divideRounded(a: bigint, b: bigint): bigint {
  if (b <= 0n) throw new RangeError('divisor must be positive');
  const negative = a < 0n;
  const magnitude = negative ? -a : a;
  const quotient = (magnitude * 2n + b) / (b * 2n);
  return negative ? -quotient : quotient;
}

/** `nanos × rate`, rounded to the nearest nano. */
export function applyRate(nanos: bigint, rate: DecimalRate): bigint {
  return divideRounded(nanos * rate.numerator, rate.denominator);
}

/** Nanos rounded to whole cents (half away from zero), still in nanos. */
export function roundToCents(nanos: bigint): bigint {
  return divideRounded(nanos, NANOS_PER_CENT) * NANOS_PER_CENT;
}

/**
 * Nano-dollars as a USD decimal string: all 9 decimals trimmed to at least 2
 * (`1_500_000n` → `"0.0015"`), or exactly `decimals` when given (rounded half
 * away from zero first when fewer than 9).
 */
export function formatUsdNanos(nanos: bigint, decimals?: number): string {
  let value = nanos;
  let places = 9;
  if (decimals !== undefined) {
    if (!Number.isInteger(decimals) || decimals < 0 || decimals > 9) {
      throw new RangeError('decimals must be an integer from 0 to 9');
    }
    value = divideRounded(nanos, 10n ** BigInt(9 - decimals));
    places = decimals;
  }
  const sign = value < 0n ? '-' : '';
  const magnitude = value < 0n ? -value : value;
  const unit = 10n ** BigInt(places);
  const whole = magnitude / unit;
  let fraction = places > 0 ? (magnitude % unit).toString().padStart(places, '0') : '';
  if (decimals === undefined) fraction = fraction.replace(/0+$/, '').padEnd(2, '0');
  return fraction ? `${sign}${whole}.${fraction}` : `${sign}${whole}`;
}

/** The nanos of `usd` dollars given as decimal text with up to 9 decimals (for parsing reports back). */
export function parseUsdNanos(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (!match) throw new RangeError(`not a USD amount: ${text}`);
  const nanos = BigInt(match[2]!) * NANOS_PER_USD + BigInt((match[3] ?? '').padEnd(9, '0'));
  return match[1] ? -nanos : nanos;
}
