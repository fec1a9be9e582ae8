/**
 * Redacts personal data from text before it is stored (and, when a project
 * asks, before it is sent upstream): e-mail addresses, phone numbers, card
 * numbers (only those passing the Luhn check, so order ids stay) and strings
 * shaped like API keys or bearer tokens. Each is replaced by a label such as
 * `[REDACTED_EMAIL]`, so a reader still sees what was there.
 */

export type PiiKind = 'api_key' | 'email' | 'card' | 'phone';

const label = (kind: PiiKind) => `[REDACTED_${kind.toUpperCase()}]`;

/** Known key prefixes (OpenAI, Anthropic, Tollgate, Stripe, GitHub, Slack, AWS) and bearer tokens. */
const KNOWN_KEY =
  /\b(?:sk-ant-[\w-]{20,}|sk-[\w-]{20,}|(?:sk|pk|rk)_(?:live|test)_\w{16,}|tg_\w{16,}|gh[pousr]_\w{30,}|xox[abprs]-[\w-]{10,}|AKIA[0-9A-Z]{16})\b|\bBearer\s+[\w.~+/-]{20,}=*/g;
/** Any other long token mixing letters and digits, as secrets are. */
const LONG_TOKEN = /\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{32,}\b/g;
const EMAIL = /\b[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g;
/** 13 to 19 digits, optionally grouped by spaces or dashes. */
const CARD = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g;
/** An optional country code, an optional area code in brackets, then groups of digits. */
const PHONE =
  /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4}(?![\w])/g;

/** The Luhn checksum card numbers carry. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}

/** user:password in a URL (`https://user:secret@host`). */
const URL_CREDENTIALS = /(?<=\/\/)[^/\s:@]+:[^/\s@]+(?=@)/g;

/**
 * The text with credentials (API keys and bearer tokens of known shapes, passwords in URLs)
 * replaced: applied to what is stored whether or not a project redacts PII.
 */
export function redactCredentials(text: string): string {
  if (text.length === 0) return text;
  return text.replace(KNOWN_KEY, label('api_key')).replace(URL_CREDENTIALS, label('api_key'));
}

/** The text with every recognised piece of personal data replaced by its label. */
export function redactPii(text: string): string {
  if (text.length === 0) return text;
  return text
    .replace(KNOWN_KEY, label('api_key'))
    .replace(LONG_TOKEN, label('api_key'))
    .replace(EMAIL, label('email'))
    .replace(CARD, (match) => (passesLuhn(digitsOf(match)) ? label('card') : match))
    .replace(PHONE, (match) => {
      const digits = digitsOf(match).length;
      // Seven digits or more and some structure (a +, brackets or separators): not a bare number.
      const structured = /[+() .-]/.test(match) || digits >= 10;
      const isoDate = /^\d{4}-\d{2}-\d{2}$/.test(match);
      return digits >= 7 && digits <= 15 && structured && !isoDate ? label('phone') : match;
    });
}

/** Redacts every string inside a JSON-like value (messages, content parts), keeping its shape. */
export function redactPiiDeep<Value>(value: Value): Value {
  if (typeof value === 'string') return redactPii(value) as Value;
  if (Array.isArray(value)) return value.map((item: unknown) => redactPiiDeep(item)) as Value;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, redactPiiDeep(item)]),
    ) as Value;
  }
  return value;
}
