import { getDefaultTollgate, type Tollgate } from '../exporter/create-tollgate';
import { currentLinks, requestContext } from '../tracking/event-context';
import { promptCallEvent } from '../tracking/prompt-call-event';
import { isOperationKind } from '../tracking/prompt-call-event';
import { consoleWarning } from '../runtime/warn';
import { LEVEL_RANK, jsonLine, prettyLine, type LogLevel } from './log-format';
import { createSentrySink, type LoggerSentryOptions, type SentrySink } from './sentry-sink';

export type LogFields = Record<string, unknown>;

export interface LoggerOptions {
  /** Your customer the logs are about; on every line and recorded as `user_id`. */
  clientId?: string;
  /** The operation this logger is for; on every line, and the events' name. */
  operation?: string;
  /** Lowest level written; default `info`. */
  level?: LogLevel;
  /** Human-readable lines instead of JSON; default: when `env` is `development`. */
  pretty?: boolean;
  /** Default `NODE_ENV`. */
  env?: string;
  /** Fields on every line. */
  fields?: LogFields;
  /** Where lines go; default stdout. */
  write?: (line: string) => void;
  /** Where `aiOperation` records; default the default instance. */
  tollgate?: Tollgate;
  /**
   * Report `error` and `fatal` lines to Sentry (needs `@sentry/node` installed): the message,
   * the error, the level and the request id, client id and operation; never other fields.
   */
  sentry?: LoggerSentryOptions;
  /** Where the logger's own warnings go (e.g. `@sentry/node` missing); default `console.warn`. */
  onWarning?: (message: string) => void;
}

export interface AIOperationReport {
  model?: string;
  provider?: string;
  /** USD. */
  cost?: number;
  /** Milliseconds. */
  duration?: number;
  success: boolean;
  inputTokens?: number;
  outputTokens?: number;
  cachedTokens?: number;
  error?: unknown;
  metadata?: Record<string, unknown>;
}

type LogMethod = (message: string, fields?: LogFields | Error) => void;

export interface Logger {
  readonly level: LogLevel;
  trace: LogMethod;
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  fatal: LogMethod;
  isLevelEnabled(level: LogLevel): boolean;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
  /** Runs `fn` with a request id (a new UUID when none is given) on every line and event inside it, through awaits. */
  withRequestId<T>(requestId: string | undefined, fn: () => T): T;
  /** The current request id, if any. */
  requestId(): string | undefined;
  /** Logs an AI operation and records it as a `prompt_call` event. */
  aiOperation(kind: string, report: AIOperationReport): void;
  /** Waits until the errors reported to Sentry are sent (or `timeoutMs`, default 2000); true without Sentry. */
  flush(timeoutMs?: number): Promise<boolean>;
}

interface LoggerState {
  options: LoggerOptions;
  threshold: number;
  level: LogLevel;
  pretty: boolean;
  color: boolean;
  write: (line: string) => void;
  fields: LogFields;
  sentry?: SentrySink;
}

/**
 * A structured logger: JSON lines (or pretty lines in development) with the
 * current request id, client id and operation on each, child loggers, levels,
 * and `aiOperation()` that both logs and records an event.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const runtime = globalThis as {
    process?: {
      env?: Record<string, string | undefined>;
      stdout?: { write?: (text: string) => unknown; isTTY?: boolean };
    };
  };
  const env = options.env ?? runtime.process?.env?.NODE_ENV;
  const pretty = options.pretty ?? env === 'development';
  const stdout = runtime.process?.stdout;
  const write =
    options.write ??
    (typeof stdout?.write === 'function'
      ? (line: string) => void stdout.write!(`${line}\n`)
      : (line: string) => console.log(line));
  const level = options.level ?? 'info';
  const fields: LogFields = { ...options.fields };
  if (options.clientId !== undefined) fields.clientId = options.clientId;
  if (options.operation !== undefined) fields.operation = options.operation;
  return makeLogger({
    options,
    threshold: LEVEL_RANK[level],
    level,
    pretty,
    color: pretty && options.write === undefined && stdout?.isTTY === true,
    write,
    fields,
    sentry: options.sentry
      ? createSentrySink(options.sentry, options.onWarning ?? consoleWarning)
      : undefined,
  });
}

function makeLogger(state: LoggerState): Logger {
  const log =
    (level: LogLevel): LogMethod =>
    (message, extra) => {
      if (LEVEL_RANK[level] < state.threshold) return;
      try {
        const requestId = requestContext.get()?.requestId;
        const own = extra instanceof Error ? { err: extra } : extra;
        const time = new Date();
        const fields: LogFields = { ...state.fields, ...requestContext.get()?.fields, ...own };
        if (requestId !== undefined) fields.requestId = requestId;
        if (state.sentry && (level === 'error' || level === 'fatal')) {
          const error =
            own instanceof Error ? own : own?.err instanceof Error ? own.err : undefined;
          state.sentry.capture(level, message, error, {
            request_id: requestId,
            client_id: state.options.clientId,
            operation: state.options.operation,
          });
        }
        state.write(
          state.pretty
            ? prettyLine(time, level, message, fields, state.color)
            : jsonLine({ time: time.toISOString(), level, msg: message, ...fields }),
        );
      } catch {
        // A log line must never break the app.
      }
    };

  const logger: Logger = {
    level: state.level,
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    fatal: log('fatal'),
    isLevelEnabled: (level) => LEVEL_RANK[level] >= state.threshold,
    child: (fields) => makeLogger({ ...state, fields: { ...state.fields, ...fields } }),
    withRequestId(requestId, fn) {
      const id = requestId ?? newRequestId();
      return requestContext.run({ requestId: id, fields: {} }, fn);
    },
    requestId: () => requestContext.get()?.requestId,
    flush: (timeoutMs = 2000) => state.sentry?.flush(timeoutMs) ?? Promise.resolve(true),
    aiOperation(kind, report) {
      try {
        const fields: LogFields = { kind, model: report.model, success: report.success };
        if (report.cost !== undefined) fields.costUsd = report.cost;
        if (report.duration !== undefined) fields.durationMs = report.duration;
        if (report.inputTokens !== undefined) fields.inputTokens = report.inputTokens;
        if (report.outputTokens !== undefined) fields.outputTokens = report.outputTokens;
        if (report.error !== undefined) fields.err = report.error;
        (report.success ? logger.info : logger.warn)(`ai operation ${kind}`, fields);
        recordOperation(state, kind, report);
      } catch {
        // Never reaches the app.
      }
    },
  };
  return logger;
}

function recordOperation(state: LoggerState, kind: string, report: AIOperationReport): void {
  const tollgate = state.options.tollgate ?? getDefaultTollgate();
  if (!tollgate) return;
  const duration = report.duration ?? 0;
  const hasTokens = report.inputTokens !== undefined || report.outputTokens !== undefined;
  const event = promptCallEvent(
    {
      startedAt: Math.round(Date.now() - duration),
      status: report.success ? 'success' : 'error',
      latencyMs: duration,
      operation: isOperationKind(kind) ? kind : undefined,
      name: state.options.operation ?? (isOperationKind(kind) ? undefined : kind),
      model: report.model,
      provider: report.provider,
      counts: hasTokens
        ? {
            inputTokens: report.inputTokens ?? 0,
            outputTokens: report.outputTokens ?? 0,
            cachedTokens: report.cachedTokens ?? 0,
          }
        : undefined,
      fallbackCostUsd: report.cost,
      errorMessage:
        report.error === undefined
          ? undefined
          : report.error instanceof Error
            ? report.error.message
            : String(report.error),
      userId: state.options.clientId,
      metadata: report.metadata,
    },
    currentLinks(),
  );
  // The cost the app reports wins over the price table.
  if (report.cost !== undefined) event.cost_usd = report.cost;
  tollgate.record(event);
}

function newRequestId(): string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return (
    crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
  );
}
