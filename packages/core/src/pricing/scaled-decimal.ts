/**
 * Exact decimal text to integers, for prices: `"1.875e-8"` USD per token is
 * 18_750_000 femto-dollars, with no float multiplication on the way.
 */

const DECIMAL_TEXT = /^(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * `text × 10^scale` as an integer, rounded half up when the text has more
 * digits than the scale keeps; undefined when the text is not a plain
 * non-negative decimal (optionally with an exponent).
 */
export function parseScaledDecimal(text: string, scale: number): bigint | undefined {
  const match = DECIMAL_TEXT.exec(text.trim());
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  const digits = BigInt(`${match[1]}${fraction}`);
  const exponent = Number(match[3] ?? '0') + scale - fraction.length;
  if (exponent >= 0) return digits * 10n ** BigInt(exponent);
  const divisor = 10n ** BigInt(-exponent);
  return (digits * 2n + divisor) / (divisor * 2n);
}

/**
 * A JSON number as the decimal it was written as (JavaScript prints the
 * shortest text that reads back as the same double, which is how price lists
 * write them), scaled to an integer.
 */
export function scaledNumber(value: number, scale: number): bigint | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  return parseScaledDecimal(String(value), scale);
}
