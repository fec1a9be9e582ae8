import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ApiError, ERROR_CATALOGUE, isApiError } from './errors';

describe('error catalogue', () => {
  it('documents every code with its status in docs/errors.md', () => {
    const readme = readFileSync(
      join(dirname(fileURLToPath(import.meta.url)), '../../../../docs/errors.md'),
      'utf8',
    );
    for (const [code, { status }] of Object.entries(ERROR_CATALOGUE)) {
      expect(readme, code).toMatch(new RegExp(`\\| \`${code}\` +\\| ${status} +\\|`));
    }
  });

  it('gives each error its catalogued status and is recognised by a guard', () => {
    const error = new ApiError('spool_full', 'full');
    expect(error.status).toBe(503);
    expect(isApiError(error)).toBe(true);
    expect(isApiError(new Error('plain'))).toBe(false);
    expect(isApiError({ name: 'ApiError', code: 'not_found' })).toBe(true);
  });
});
