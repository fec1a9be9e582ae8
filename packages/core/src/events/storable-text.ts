/**
 * Text the stores can keep: the event store refuses a row whose strings hold
 * an unpaired UTF-16 surrogate (it is not UTF-8), and Postgres refuses any
 * text holding NUL. Client input with either is refused, naming the field
 * (`storableTextProblem`); text Tollgate records on a user's behalf (the
 * gateway's own record of a prompt) is repaired instead (`toStorableText`),
 * so the user's call is still recorded.
 */

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NUL = /\0/g;
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** A cheap first look (one character class): most text has neither NUL nor any surrogate. */
const MAYBE_UNSTORABLE = /[\0\uD800-\uDFFF]/;

/** Why `text` cannot be stored as it is, or undefined when it can. */
export function storableTextProblem(text: string): string | undefined {
  if (!MAYBE_UNSTORABLE.test(text)) return undefined;
  const found = UNSTORABLE.exec(text);
  if (!found) return undefined;
  if (found[0] === '\0') return `holds a NUL character (at position ${found.index})`;
  const code = found[0].charCodeAt(0).toString(16).toUpperCase();
  return `holds an unpaired UTF-16 surrogate U+${code} (at position ${found.index}): not valid Unicode`;
}

/** True when `text` holds neither NUL nor an unpaired surrogate. */
export function isStorableText(text: string): boolean {
  return !MAYBE_UNSTORABLE.test(text) || !UNSTORABLE.test(text);
}

/** `text` with each unpaired surrogate replaced by U+FFFD and every NUL removed. */
export function toStorableText(text: string): string {
  if (!MAYBE_UNSTORABLE.test(text) || !UNSTORABLE.test(text)) return text;
  return text.replace(LONE_SURROGATE, '\uFFFD').replace(NUL, '');
}

/** Deeper than this, `repairStorableText` stops: the depth check refuses such values anyway. */
const MAX_REPAIR_DEPTH = 128;

/**
 * Repairs, in place, every string (and key) inside a JSON object or array
 * with `toStorableText`; iterative, so no depth can overflow the stack.
 * For text an instrumentation library produced (OTLP spans), whose sender
 * cannot act on a refusal.
 */
export function repairStorableText(root: object): void {
  const stack: Array<{ value: object; depth: number }> = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (depth > MAX_REPAIR_DEPTH) continue;
    const container = value as Record<string, unknown>;
    for (const key of Object.keys(container)) {
      const item = container[key];
      const storableKey = toStorableText(key);
      if (storableKey !== key) {
        delete container[key];
        container[storableKey] = item;
      }
      if (typeof item === 'string') container[storableKey] = toStorableText(item);
      else if (item !== null && typeof item === 'object') {
        stack.push({ value: item, depth: depth + 1 });
      }
    }
  }
}

/** How JSON.stringify writes a NUL or an unpaired surrogate (it escapes both). */
const ESCAPED_UNSTORABLE = /\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/**
 * `value` as JSON text whose strings are storable: serialized once, and again
 * with each string repaired (`toStorableText`) only when the first text shows
 * an escaped NUL or unpaired surrogate, so the common case costs nothing extra.
 */
export function toStorableJson(value: unknown): string {
  const text = JSON.stringify(value) ?? '';
  if (!ESCAPED_UNSTORABLE.test(text)) return text;
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'string' ? toStorableText(item) : item,
  );
}
