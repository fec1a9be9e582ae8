import { readFileSync } from 'node:fs';
import {
  NodeClient,
  Scope,
  defaultStackParser,
  linkedErrorsIntegration,
  makeNodeTransport,
  type ErrorEvent,
} from '@sentry/node';
import { storedText } from '../content/stored-content';
import type { ErrorReporter, ProblemContext, ProblemKind } from './error-reporter';

/**
 * Error reporting with the official `@sentry/node`, as its own client and
 * scope rather than `Sentry.init()`: nothing global is patched (no console,
 * http or process instrumentation), two apps in one process (tests) keep
 * apart, and what is sent is exactly what Tollgate captures. `beforeSend`
 * strips what could carry content: no request (body, headers, cookies,
 * query), no user, no breadcrumbs, no extra; messages and exception values
 * lose credentials, personal data and long quoted text.
 */

export interface SentryReporterOptions {
  dsn: string;
  environment: string;
  release: string;
  /** The same problem (kind, org and fingerprint) is sent at most once per this window; default 60 000. */
  repeatWindowMs?: number;
  now?: () => number;
}

/**
 * `tollgate@<server version>`: the release when `SENTRY_RELEASE` is unset. The server's
 * package.json is one folder up from the bundle (`dist/main.js`), two from this source file.
 */
export function defaultRelease(): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === '@tollgate/server' && manifest.version) {
        return `tollgate@${manifest.version}`;
      }
    } catch {
      // Not there: try the next place.
    }
  }
  return 'tollgate@unknown';
}

/**
 * Quoted runs of 16 characters or more are elided from messages: a store's error can quote a
 * row, an upstream's the request. Short ones (a property name) stay, for whoever debugs.
 */
const QUOTED = /(["'`])[^"'`\n]{16,}\1/g;
const MAX_MESSAGE = 500;

/** A message as it may leave the process: no credentials, no personal data, no long quotes. */
export function scrubMessage(text: string): string {
  const cleaned = storedText(text, true).replace(QUOTED, '$1[elided]$1');
  return cleaned.length > MAX_MESSAGE ? `${cleaned.slice(0, MAX_MESSAGE)}…` : cleaned;
}

/** The event as it may leave the process (Sentry's `beforeSend`). */
export function scrubEvent(event: ErrorEvent): ErrorEvent {
  delete event.request;
  delete event.user;
  delete event.breadcrumbs;
  delete event.extra;
  if (event.message) event.message = scrubMessage(event.message);
  if (event.logentry?.message) event.logentry.message = scrubMessage(event.logentry.message);
  if (event.logentry) delete event.logentry.params;
  for (const exception of event.exception?.values ?? []) {
    if (exception.value) exception.value = scrubMessage(exception.value);
    for (const frame of exception.stacktrace?.frames ?? []) {
      delete frame.vars;
      delete frame.pre_context;
      delete frame.context_line;
      delete frame.post_context;
    }
  }
  return event;
}

export function createSentryReporter(options: SentryReporterOptions): ErrorReporter {
  const client = new NodeClient({
    dsn: options.dsn,
    environment: options.environment,
    release: options.release,
    transport: makeNodeTransport,
    stackParser: defaultStackParser,
    integrations: [linkedErrorsIntegration()],
    maxBreadcrumbs: 0,
    beforeSend: scrubEvent,
  });
  const scope = new Scope();
  scope.setClient(client);
  client.init();
  const repeatWindowMs = options.repeatWindowMs ?? 60_000;
  const now = options.now ?? Date.now;
  /** Last send and how many were held back since, per problem. */
  const recent = new Map<string, { sentAt: number; held: number }>();

  /** A scope for one report, or undefined when the same problem was just sent. */
  function scopeFor(
    kind: ProblemKind,
    fingerprint: string,
    context: ProblemContext,
  ): Scope | undefined {
    const key = `${kind}\u0000${context.orgId ?? ''}\u0000${fingerprint}`;
    const last = recent.get(key);
    const time = now();
    if (last && time - last.sentAt < repeatWindowMs) {
      last.held += 1;
      return undefined;
    }
    if (recent.size > 1000) recent.clear();
    recent.set(key, { sentAt: time, held: 0 });
    const local = scope.clone();
    local.setLevel(context.level ?? 'error');
    local.setTag('problem', kind);
    if (context.requestId) local.setTag('request_id', context.requestId);
    if (context.orgId) local.setTag('org_id', context.orgId);
    if (context.projectId) local.setTag('project_id', context.projectId);
    const details: Record<string, string | number | boolean> = {};
    for (const [name, value] of Object.entries(context.details ?? {})) {
      if (value !== undefined)
        details[name] = typeof value === 'string' ? scrubMessage(value) : value;
    }
    if (last && last.held > 0) details.repeats_held_back = last.held;
    local.setContext('tollgate', details);
    return local;
  }

  return {
    enabled: true,
    captureError(kind, error, context = {}) {
      try {
        const name = error instanceof Error ? error.name : typeof error;
        const code = (error as { code?: unknown } | undefined)?.code;
        const fingerprint = `${name}:${String(code ?? '')}:${String(context.details?.route ?? '')}`;
        scopeFor(kind, fingerprint, context)?.captureException(error);
      } catch {
        // Reporting never takes the server down.
      }
    },
    captureProblem(kind, message, context = {}) {
      try {
        scopeFor(kind, message, context)?.captureMessage(message, context.level ?? 'error');
      } catch {
        // Reporting never takes the server down.
      }
    },
    flush: async (timeoutMs = 2000) => client.flush(timeoutMs),
    close: async (timeoutMs = 2000) => {
      await client.close(timeoutMs);
    },
  };
}
