import type { Clock, EventInput } from '@tollgate/core';
import { consoleWarning, type WarningSink } from '../runtime/warn';
import {
  EventExporter,
  type ExporterOptions,
  type ExporterStats,
  type FlushResult,
} from './event-exporter';

export interface TollgateOptions {
  /** The Tollgate server, e.g. `http://localhost:4000`. */
  baseUrl: string;
  /** A project key with the `ingest` scope (and `gateway` for the AI fallback). */
  apiKey: string;
  /** Put on every event that names none. */
  service?: string;
  env?: string;
  /** False makes every call a no-op: nothing is queued or sent. Default true. */
  enabled?: boolean;
  /** Events per request; default 100. */
  batchSize?: number;
  /** A partial batch is sent this long after its first event; default 1000. */
  flushIntervalMs?: number;
  /** Events kept while the server is unreachable; the oldest are dropped past it. Default 10 000. */
  maxQueueSize?: number;
  /** One request's time limit; default 10 000. */
  requestTimeoutMs?: number;
  /** Backoff between attempts: full jitter below min(retryMaxMs, retryBaseMs·2^(attempt−1)). Defaults 500 and 30 000. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Attempts after the first before a batch is dropped; default unlimited (the queue bounds memory). */
  maxRetries?: number;
  /** How long `flush()` waits by default; default 30 000. */
  flushTimeoutMs?: number;
  /** Flush when the process is about to exit (`beforeExit`); default true. */
  flushOnExit?: boolean;
  /** How long that exit flush may take; default 5 000. */
  exitFlushTimeoutMs?: number;
  /** Record prompts, responses and arguments; default true. */
  captureContent?: boolean;
  /** Make this instance the one `trackAIOperation`, `wrapOpenAI` and the others use when given none; default true. */
  setAsDefault?: boolean;
  /** Where warnings go (server unreachable, events refused); default `console.warn`. */
  onWarning?: WarningSink;
  fetch?: typeof fetch;
  /** For tests: drives batching intervals and retry waits. */
  clock?: Clock;
  random?: () => number;
}

/** A Tollgate client: the event exporter every other SDK function records through. */
export interface Tollgate {
  readonly baseUrl: string;
  readonly service: string | undefined;
  readonly env: string | undefined;
  readonly captureContent: boolean;
  /** Queues one event; never throws and never waits. */
  record(event: EventInput): void;
  /** Sends everything recorded so far; resolves (never rejects) when sent or after `timeoutMs`. */
  flush(options?: { timeoutMs?: number }): Promise<FlushResult>;
  /** Flushes, then stops; later events are dropped. Default `timeoutMs` 10 000. */
  shutdown(options?: { timeoutMs?: number }): Promise<FlushResult>;
  stats(): ExporterStats;
}

export interface TollgateConnection {
  baseUrl: string;
  apiKey: string;
  fetch: typeof fetch;
  warn: WarningSink;
}

const connections = new WeakMap<Tollgate, TollgateConnection>();
let defaultTollgate: Tollgate | undefined;

/** The server, key and fetch of a client (for the AI fallback); not part of the public API. */
export function connectionOf(tollgate: Tollgate): TollgateConnection | undefined {
  return connections.get(tollgate);
}

/** The instance functions use when given none: the last one created with `setAsDefault` (the default). */
export function getDefaultTollgate(): Tollgate | undefined {
  return defaultTollgate;
}

export function setDefaultTollgate(tollgate: Tollgate | undefined): void {
  defaultTollgate = tollgate;
}

/**
 * Creates the exporter: events are queued and sent in batches to
 * `POST /api/v1/events`, retried with backoff while the server is away, and
 * flushed on `flush()`, `shutdown()` and process exit.
 */
export function createTollgate(options: TollgateOptions): Tollgate {
  if (typeof options.baseUrl !== 'string' || options.baseUrl === '') {
    throw new TypeError('createTollgate: baseUrl is required, e.g. http://localhost:4000');
  }
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const warn = options.onWarning ?? consoleWarning;
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const tollgate =
    options.enabled === false
      ? disabledTollgate(baseUrl, options)
      : activeTollgate(baseUrl, options, warn, fetchImpl);
  connections.set(tollgate, { baseUrl, apiKey: options.apiKey, fetch: fetchImpl, warn });
  if (options.setAsDefault !== false) defaultTollgate = tollgate;
  return tollgate;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new RangeError(`createTollgate: ${name} must be positive, got ${value}`);
  return value;
}

function activeTollgate(
  baseUrl: string,
  options: TollgateOptions,
  warn: WarningSink,
  fetchImpl: typeof fetch,
): Tollgate {
  if (typeof options.apiKey !== 'string' || options.apiKey === '') {
    throw new TypeError('createTollgate: apiKey is required (a project key, tg_...)');
  }
  const maxQueueSize = Math.floor(positive('maxQueueSize', options.maxQueueSize, 10_000));
  const exporterOptions: ExporterOptions = {
    url: `${baseUrl}/api/v1/events`,
    apiKey: options.apiKey,
    // A batch never waits for more events than the queue can hold.
    batchSize: Math.min(maxQueueSize, Math.floor(positive('batchSize', options.batchSize, 100))),
    flushIntervalMs: positive('flushIntervalMs', options.flushIntervalMs, 1000),
    maxQueueSize,
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs, 10_000),
    retryBaseMs: positive('retryBaseMs', options.retryBaseMs, 500),
    retryMaxMs: positive('retryMaxMs', options.retryMaxMs, 30_000),
    maxRetries: options.maxRetries ?? Infinity,
    flushTimeoutMs: positive('flushTimeoutMs', options.flushTimeoutMs, 30_000),
    fetch: fetchImpl,
    warn,
    clock: options.clock,
    random: options.random,
  };
  const exporter = new EventExporter(exporterOptions);
  const defaults: { service?: string; env?: string } = {};
  if (options.service !== undefined) defaults.service = options.service;
  if (options.env !== undefined) defaults.env = options.env;
  const hasDefaults = options.service !== undefined || options.env !== undefined;

  const detachExit =
    options.flushOnExit === false
      ? () => {}
      : onBeforeExit(() => {
          if (!exporter.isClosing && exporter.hasPending) {
            void exporter.shutdown({ timeoutMs: options.exitFlushTimeoutMs ?? 5000 });
          }
        });

  return {
    baseUrl,
    service: options.service,
    env: options.env,
    captureContent: options.captureContent ?? true,
    record(event) {
      try {
        const needsDefaults =
          hasDefaults &&
          ((defaults.service !== undefined && event.service === undefined) ||
            (defaults.env !== undefined && event.env === undefined));
        exporter.record(needsDefaults ? (Object.assign({}, defaults, event) as EventInput) : event);
      } catch (error) {
        warn(`could not record an event: ${String(error)}`);
      }
    },
    flush: (flushOptions) => exporter.flush(flushOptions).catch(() => failedFlush(exporter)),
    shutdown: (shutdownOptions) => {
      detachExit();
      return exporter.shutdown(shutdownOptions).catch(() => failedFlush(exporter));
    },
    stats: () => exporter.stats(),
  };
}

function disabledTollgate(baseUrl: string, options: TollgateOptions): Tollgate {
  let recorded = 0;
  return {
    baseUrl,
    service: options.service,
    env: options.env,
    captureContent: options.captureContent ?? true,
    record() {
      recorded += 1;
    },
    flush: async () => ({ complete: true, pending: 0, dropped: 0 }),
    shutdown: async () => ({ complete: true, pending: 0, dropped: 0 }),
    stats: () => ({
      recorded,
      sent: 0,
      queued: 0,
      inFlight: 0,
      dropped: 0,
      rejected: 0,
      failedRequests: 0,
      serverReachable: true,
    }),
  };
}

function failedFlush(exporter: EventExporter): FlushResult {
  const stats = exporter.stats();
  return { complete: false, pending: stats.queued + stats.inFlight, dropped: 0 };
}

/** Runs `handler` on the process's `beforeExit` where there is a process; returns the detach function. */
function onBeforeExit(handler: () => void): () => void {
  const runtime = globalThis as {
    process?: {
      on?: (event: string, listener: () => void) => unknown;
      off?: (event: string, listener: () => void) => unknown;
    };
  };
  const process = runtime.process;
  if (typeof process?.on !== 'function') return () => {};
  process.on('beforeExit', handler);
  return () => process.off?.('beforeExit', handler);
}
