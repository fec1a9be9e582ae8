import { z } from 'zod';

/**
 * Building blocks of the API's answers. Money is exact: nano-dollars and USD both as decimal
 * strings (`cost_nanos: "1234500"`, `cost_usd: "0.0012345"`), never a float.
 */

/** An ISO-8601 instant, as `Date.prototype.toISOString` writes it. */
export const isoTime = z.string();

/** `{prefix}_nanos` and `{prefix}_usd`, as the server's `money(nanos, prefix)` writes them. */
export function moneyFields<Prefix extends string>(prefix: Prefix) {
  return {
    [`${prefix}_nanos`]: z.string(),
    [`${prefix}_usd`]: z.string(),
  } as { [Key in `${Prefix}_nanos` | `${Prefix}_usd`]: z.ZodString };
}

/** The cost of priced calls: `cost_nanos` and `cost_usd`. */
export const costFields = moneyFields('cost');

/** The range an analytics answer read, echoed back with the defaults applied. */
export const rangeFields = { from: isoTime, to: isoTime };

/** `numerator / denominator` to 4 decimals; null when there was nothing to divide. */
export const ratio = z.number().nullable();
