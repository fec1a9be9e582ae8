import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallJournal } from './call-journal';
import { uncommittedLines } from './call-journal-replay';

const logger = { error: vi.fn(), warn: vi.fn() } as unknown as FastifyBaseLogger;
const directories: string[] = [];

function journalIn(maxSegmentBytes?: number) {
  const directory = mkdtempSync(join(tmpdir(), 'call-journal-'));
  directories.push(directory);
  const journal = new CallJournal({ directory, logger, syncIntervalMs: 0, maxSegmentBytes });
  return { journal, directory, left: journal.open() };
}

afterEach(() => {
  for (const directory of directories.splice(0))
    rmSync(directory, { recursive: true, force: true });
});

describe('CallJournal', () => {
  it('keeps the lines not yet committed for the next start, and only those', () => {
    const { journal, directory } = journalIn();
    const positions = ['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}'].map((line) =>
      journal.append(line),
    );
    journal.committed([positions[0], positions[1], positions[3]]);
    journal.close();
    const [segment] = readdirSync(directory);
    const content = readFileSync(join(directory, segment!), 'utf8');
    expect(uncommittedLines(content).lines).toEqual(['{"n":3}']);
    expect(new CallJournal({ directory, logger, syncIntervalMs: 0 }).open()).toHaveLength(1);
  });

  it('deletes a segment once it is closed to appends and all its lines are committed', () => {
    const { journal, directory } = journalIn(20);
    const first = [journal.append('{"first":1}'), journal.append('{"first":2}')];
    const second = journal.append('{"second":1}');
    expect(readdirSync(directory)).toHaveLength(2);
    journal.committed(first);
    expect(readdirSync(directory)).toHaveLength(1);
    journal.committed([second]);
    journal.close();
    expect(readdirSync(directory)).toEqual([]);
    expect(journal.stats).toMatchObject({ appended: 3, committed: 3, failures: 0 });
  });

  it('skips a torn last line and lines already marked', () => {
    const content = '{"a":1}\n{"b":2}\n#c 0 1\n{"c":3}\n{"d":';
    expect(uncommittedLines(content)).toEqual({ lines: ['{"b":2}', '{"c":3}'], indexes: [1, 2] });
  });

  it('counts a line it cannot write and never throws', () => {
    const { journal, directory } = journalIn();
    rmSync(directory, { recursive: true });
    expect(journal.append('{"n":1}')).toBeUndefined();
    expect(journal.stats.failures).toBe(1);
    expect(logger.error).toHaveBeenCalled();
  });
});
