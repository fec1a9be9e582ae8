export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LEVEL_RANK: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

/** Errors as plain fields (JSON.stringify drops an Error's own fields). */
export function plainValue(value: unknown): unknown {
  if (value instanceof Error) {
    const plain: Record<string, unknown> = { type: value.name, message: value.message };
    if (value.stack) plain.stack = value.stack;
    const cause = (value as { cause?: unknown }).cause;
    if (cause !== undefined) plain.cause = plainValue(cause);
    return plain;
  }
  return value;
}

/** One JSON line; a value that cannot be serialized is replaced, never thrown. */
export function jsonLine(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record, (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : plainValue(value),
    );
  } catch {
    return JSON.stringify({
      time: record.time,
      level: record.level,
      msg: record.msg,
      logError: 'fields could not be serialized',
    });
  }
}

const COLORS: Record<LogLevel, string> = {
  trace: '\u001b[90m',
  debug: '\u001b[36m',
  info: '\u001b[32m',
  warn: '\u001b[33m',
  error: '\u001b[31m',
  fatal: '\u001b[35m',
  silent: '',
};
const RESET = '\u001b[0m';
const DIM = '\u001b[2m';

/** `12:00:00.123 INFO  message  requestId=… key=value`, colored for a terminal. */
export function prettyLine(
  time: Date,
  level: LogLevel,
  message: string,
  fields: Record<string, unknown>,
  color: boolean,
): string {
  const clock = time.toISOString().slice(11, 23);
  const label = level.toUpperCase().padEnd(5);
  const rest = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${prettyValue(value)}`)
    .join(' ');
  if (!color) return `${clock} ${label} ${message}${rest ? `  ${rest}` : ''}`;
  return `${DIM}${clock}${RESET} ${COLORS[level]}${label}${RESET} ${message}${rest ? `  ${DIM}${rest}${RESET}` : ''}`;
}

function prettyValue(value: unknown): string {
  const plain = plainValue(value);
  if (typeof plain === 'string') return /\s/.test(plain) ? JSON.stringify(plain) : plain;
  if (plain instanceof Object && 'stack' in plain && typeof plain.stack === 'string') {
    return `\n${plain.stack}`;
  }
  try {
    return JSON.stringify(plain) ?? String(plain);
  } catch {
    return String(plain);
  }
}
