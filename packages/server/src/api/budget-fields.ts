import { BUDGET_PERIODS, BUDGET_SCOPES } from '@tollgate/core';
import { z } from 'zod';
import { storableText } from '../http/storable-text';
import { parseUsd } from '../governance/budgets/budget-state';

// The fields of a budget as the API takes them; how it shows one is governance/budgets/budget-present.ts.

/** The most a budget may be: a million USD a period (counters stay exact integers of nanos). */
const MAX_AMOUNT_NANOS = 1_000_000n * 1_000_000_000n;

/**
 * A USD amount as decimal text (`"25.50"`, exact) or a JSON number, at most 9
 * decimals, never negative; becomes nano-dollars.
 */
export const amountUsdField = z
  .union([z.string().max(32), z.number()], { error: 'must be a USD amount (string or number)' })
  .transform((value, context) => {
    if (typeof value === 'number' && (!Number.isFinite(value) || value < 0)) {
      context.addIssue({ code: 'custom', message: 'must be a non-negative USD amount' });
      return z.NEVER;
    }
    const text = typeof value === 'number' ? value.toFixed(9) : value;
    const nanos = parseUsd(text);
    if (nanos === undefined || nanos > MAX_AMOUNT_NANOS) {
      context.addIssue({
        code: 'custom',
        message: text.trim().startsWith('-')
          ? 'must be a non-negative USD amount'
          : 'must be a USD amount from 0 to 1000000 with at most 9 decimals',
      });
      return z.NEVER;
    }
    return nanos;
  });

export const softThresholdField = z
  .number({ error: 'must be a number in (0, 1]' })
  .gt(0, 'must be greater than 0')
  .lte(1, 'must be at most 1');

export const webhookUrlField = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL')
  .nullable();

export const budgetScopeField = z.enum(BUDGET_SCOPES);
export const budgetPeriodField = z.enum(BUDGET_PERIODS);
/** A project or key id, or an app's user id (any printable text, as the gateway records it). */
export const scopeIdField = storableText().trim().min(1).max(256);
