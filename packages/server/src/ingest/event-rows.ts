/**
 * The rows of a JSONEachRow buffer, one line each, with the few fields the
 * writer needs (tenant, id, time) read without parsing the whole row: a row
 * is a flat JSON object whose values are strings, numbers or arrays of
 * strings, so an unescaped `"event_id":"` can only be that key (inside a
 * string a quote is always escaped). A row that does not read this way keeps
 * empty fields; the store decides what to make of it.
 */
export interface EventRowLine {
  /** The line's bytes, without its newline. */
  bytes: Buffer;
  orgId: string;
  eventId: string;
  /** `ts` as written (`YYYY-MM-DD hh:mm:ss.SSS`), or ''. */
  ts: string;
}

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const KEYS = {
  orgId: Buffer.from('"org_id":"'),
  eventId: Buffer.from('"event_id":"'),
  ts: Buffer.from('"ts":"'),
};

/** The string value after `key` in `line`, or '' when the key is not there. */
function stringValue(line: Buffer, key: Buffer): string {
  const at = line.indexOf(key);
  if (at < 0) return '';
  const start = at + key.length;
  let end = start;
  let escaped = false;
  while (end < line.length && line[end] !== QUOTE) {
    if (line[end] === BACKSLASH) {
      escaped = true;
      end += 2;
    } else end += 1;
  }
  if (end >= line.length) return '';
  if (!escaped) return line.toString('utf8', start, end);
  try {
    return JSON.parse(line.toString('utf8', start - 1, end + 1)) as string;
  } catch {
    return '';
  }
}

/** Splits rows into lines (empty lines dropped) and reads each line's tenant, id and time. */
export function splitEventRows(rows: Buffer): EventRowLine[] {
  const lines: EventRowLine[] = [];
  let start = 0;
  while (start < rows.length) {
    let end = rows.indexOf(NEWLINE, start);
    if (end < 0) end = rows.length;
    if (end > start) {
      const bytes = rows.subarray(start, end);
      lines.push({
        bytes,
        orgId: stringValue(bytes, KEYS.orgId),
        eventId: stringValue(bytes, KEYS.eventId),
        ts: stringValue(bytes, KEYS.ts),
      });
    }
    start = end + 1;
  }
  return lines;
}

/** Lines back into a JSONEachRow buffer, each ending with a newline. */
export function joinEventRows(lines: readonly EventRowLine[]): Buffer {
  const parts: Buffer[] = [];
  for (const line of lines) parts.push(line.bytes, NEWLINE_BUFFER);
  return Buffer.concat(parts);
}

const NEWLINE_BUFFER = Buffer.from('\n');

/** The partition of the event tables a row falls in: its month (`PARTITION BY toYYYYMM(ts)`). */
export function partitionOf(line: EventRowLine): string {
  return line.ts.slice(0, 7);
}
