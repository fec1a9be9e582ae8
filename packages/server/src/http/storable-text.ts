import { findUnstorableValue, storableTextProblem } from '@tollgate/core';
import { z } from 'zod';
import { ApiError } from './errors';

/** Nesting a query, path parameter or admin body may have. */
const MAX_INPUT_DEPTH = 64;

/**
 * Text the stores can keep: no NUL (Postgres refuses it) and no unpaired
 * UTF-16 surrogate (not Unicode; ClickHouse refuses it). The one schema for
 * admin and API string inputs: `storableText().trim().max(256)`.
 */
export function storableText() {
  return z.string().superRefine((value, context) => {
    const problem = storableTextProblem(value);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });
}

/**
 * Refuses input holding unstorable text anywhere (or nested absurdly deep)
 * with a 400 naming the field, before its schema sees it: how the route
 * validator (`zod-validation.ts`) and `parseBody` guard every string they take.
 */
export function assertStorableInput(value: unknown, field = ''): void {
  const problem = findUnstorableValue(value, field, MAX_INPUT_DEPTH);
  if (!problem) return;
  throw new ApiError('invalid_request', `${problem.field}: ${problem.message}`, {
    field: problem.field,
  });
}
