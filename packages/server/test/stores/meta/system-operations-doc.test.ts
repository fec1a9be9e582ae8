import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SYSTEM_OPERATIONS } from '../../../src/stores/meta/row-security';

const doc = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), '../../../../../docs/postgres.md'),
  'utf8',
);

describe('the system operations (docs/postgres.md)', () => {
  it('documents every store call that runs across orgs, and no other', () => {
    const section = doc.slice(doc.indexOf('## The system operations'));
    const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| operation')));
    const documented = [...table.matchAll(/^\| `(\w+)` +\|/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual([...SYSTEM_OPERATIONS].sort());
  });
});
