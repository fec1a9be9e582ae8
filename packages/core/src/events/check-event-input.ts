import { eventFieldsOf, suggestEventField } from './event-field-names';
import { storableTextProblem, toStorableText } from './storable-text';

/**
 * The checks an event needs before the schema sees it: the item is an object
 * of known fields, every string (and key) is storable text, and JSON values
 * are bounded in depth and size. The walk is iterative, so no input, however
 * deep, can overflow the stack; the schema (`eventInputSchema`) then checks
 * types and ranges, and `eventTimeProblem` the time.
 */

/** Nesting levels a `metadata` object may have. */
export const MAX_METADATA_DEPTH = 32;
/**
 * Characters of JSON a `metadata` object may take (256 KiB): room for what OTLP
 * spans carry there (their attributes beyond the mapped ones), still bounded.
 */
export const MAX_METADATA_CHARS = 262_144;
/** Nesting levels a JSON `input` / `output` (chat messages, tool schemas) may have. */
export const MAX_CONTENT_DEPTH = 64;
/** Characters a text field, or the JSON of a content field, may take: the documented 1 MB. */
export const MAX_TEXT_CHARS = 1_000_000;
/** Problems reported per event: the first few say enough. */
const MAX_PROBLEMS = 5;
const MAX_PATH_CHARS = 200;

export interface EventFieldProblem {
  /** Dotted path of the field (`metadata.a.b`, `tags.2`), or `(event)` for the item itself. */
  field: string;
  message: string;
}

const JSON_FIELDS: Readonly<Record<string, { depth: number; chars: number }>> = {
  metadata: { depth: MAX_METADATA_DEPTH, chars: MAX_METADATA_CHARS },
  input: { depth: MAX_CONTENT_DEPTH, chars: MAX_TEXT_CHARS },
  output: { depth: MAX_CONTENT_DEPTH, chars: MAX_TEXT_CHARS },
};
const DEFAULT_LIMITS = { depth: MAX_CONTENT_DEPTH, chars: MAX_TEXT_CHARS };

function pathText(path: string): string {
  return path.length > MAX_PATH_CHARS ? `${path.slice(0, MAX_PATH_CHARS)}…` : path;
}

/** A node of the walk: its path is built (from the parents) only when it is reported. */
interface WalkNode {
  value: unknown;
  key: string;
  parent: WalkNode | undefined;
  depth: number;
}

function pathOf(node: WalkNode | undefined, field: string): string {
  const keys: string[] = [];
  for (let at = node; at?.parent; at = at.parent) keys.push(toStorableText(at.key));
  const path = [field, ...keys.reverse()].filter((part) => part !== '').join('.');
  return pathText(path || '(body)');
}

/** Characters of text in a walked value (strings and keys): a lower bound of its JSON length. */
export interface WalkSize {
  textChars: number;
  nodes: number;
}

/**
 * The first unstorable text (a string or key with NUL or an unpaired
 * surrogate) in `value`, or nesting deeper than `maxDepth`, with the dotted
 * path where it is (`field` prefixes it); undefined when there is none.
 * Iterative: no depth of input can overflow the stack. `size`, when given,
 * adds up the text walked.
 */
export function findUnstorableValue(
  value: unknown,
  field: string,
  maxDepth: number,
  size?: WalkSize,
): EventFieldProblem | undefined {
  if (typeof value === 'string') {
    const problem = storableTextProblem(value);
    return problem ? { field: pathText(field || '(body)'), message: problem } : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const stack: WalkNode[] = [{ value, key: '', parent: undefined, depth: 0 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const current = node.value;
    if (size) size.nodes += 1;
    if (typeof current === 'string') {
      if (size) size.textChars += current.length;
      const problem = storableTextProblem(current);
      if (problem) return { field: pathOf(node, field), message: problem };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (node.depth >= maxDepth) {
      return { field: field || '(body)', message: `is nested deeper than ${maxDepth} levels` };
    }
    if (Array.isArray(current)) {
      for (let index = 0; index < current.length; index += 1) {
        stack.push({
          value: current[index],
          key: String(index),
          parent: node,
          depth: node.depth + 1,
        });
      }
      continue;
    }
    for (const key of Object.keys(current)) {
      if (size) size.textChars += key.length;
      const keyProblem = storableTextProblem(key);
      if (keyProblem)
        return { field: pathOf(node, field), message: `has a key that ${keyProblem}` };
      const item = (current as Record<string, unknown>)[key];
      stack.push({ value: item, key, parent: node, depth: node.depth + 1 });
    }
  }
  return undefined;
}

/**
 * The length of `value` as JSON, when it may exceed `limit`: JSON escapes a
 * character in at most 6, and any other node takes at most 32 characters
 * (a number, punctuation), so most values are cleared without serializing.
 */
function jsonCharsOver(value: unknown, size: WalkSize, limit: number): number | undefined {
  if (size.textChars > limit) return size.textChars;
  if (size.textChars * 6 + size.nodes * 32 <= limit) return undefined;
  const chars = JSON.stringify(value).length;
  return chars > limit ? chars : undefined;
}

/**
 * What is wrong with `item` before its types are checked: not an object, an
 * unknown field (with the known one it likely meant), unstorable text, JSON
 * too deep or too large. Empty when nothing is.
 */
export function checkEventInput(item: unknown): EventFieldProblem[] {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    return [{ field: '(event)', message: 'must be a JSON object' }];
  }
  const fields = item as Record<string, unknown>;
  const known = eventFieldsOf(fields.event_type);
  const problems: EventFieldProblem[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (problems.length >= MAX_PROBLEMS) break;
    if (!known.has(name)) {
      const safeName = toStorableText(name);
      const meant = suggestEventField(safeName, known);
      const kind = typeof fields.event_type === 'string' ? `a ${fields.event_type}` : 'an event';
      problems.push({
        field: pathText(safeName),
        message: `is not a field of ${kind}${meant ? `; did you mean "${meant}"?` : ''}`,
      });
      continue;
    }
    const limits = JSON_FIELDS[name] ?? DEFAULT_LIMITS;
    const size: WalkSize = { textChars: 0, nodes: 0 };
    const problem = findUnstorableValue(value, name, limits.depth, size);
    if (problem) {
      problems.push(problem);
      continue;
    }
    if (value !== null && typeof value === 'object' && JSON_FIELDS[name]) {
      const chars = jsonCharsOver(value, size, limits.chars);
      if (chars !== undefined) {
        problems.push({
          field: name,
          message: `takes at least ${chars} characters as JSON; the limit is ${limits.chars}`,
        });
      }
    }
  }
  return problems;
}

export interface EventTimeWindow {
  /** The server's time, epoch ms. */
  now: number;
  /** The org's retention: an older event would expire as it is stored. */
  retentionDays: number;
  /** How far ahead of `now` an event's time may be. */
  maxFutureSkewMs: number;
}

const DAY_MS = 86_400_000;

/**
 * Why an event time cannot be stored and read back, or undefined when it can:
 * it must be no older than the org's retention (nor before 1970) and no
 * further ahead than the allowed clock skew.
 */
export function eventTimeProblem(time: number, window: EventTimeWindow): string | undefined {
  if (!Number.isFinite(time)) return 'is not a valid time';
  const oldest = Math.max(0, window.now - window.retentionDays * DAY_MS);
  const newest = window.now + window.maxFutureSkewMs;
  if (time < oldest) {
    return `is ${time < 0 ? 'before 1970' : 'older than the retention'}: events must be from ${new Date(oldest).toISOString()} (${window.retentionDays} days of retention) onwards`;
  }
  if (time > newest) {
    return `is more than ${window.maxFutureSkewMs} ms in the future (latest accepted now: ${new Date(newest).toISOString()})`;
  }
  return undefined;
}
