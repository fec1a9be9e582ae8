import type * as SentryNode from '@sentry/node';
import type { ErrorEvent } from '@sentry/node';
import type { WarningSink } from '../runtime/warn';

/**
 * The logger's error reporting to Sentry: `error` and `fatal` lines go to
 * Sentry through `@sentry/node` (an optional peer dependency, loaded when a
 * DSN is given) as its own client and scope, so the app's own Sentry set-up,
 * if any, is left alone. What is sent: the message, the error's type, message
 * and stack, the level, and the tags request id, client id and operation;
 * never the line's other fields (they may hold prompts or responses). Keys of
 * known shapes are replaced in messages.
 */

export interface LoggerSentryOptions {
  /** The Sentry project's DSN, e.g. `https://<key>@o0.ingest.sentry.io/<project>`. */
  dsn: string;
  /** Default `NODE_ENV` or `production`. */
  environment?: string;
  release?: string;
}

export interface SentrySink {
  capture(
    level: 'error' | 'fatal',
    message: string,
    error: unknown,
    tags: Record<string, string | undefined>,
  ): void;
  flush(timeoutMs: number): Promise<boolean>;
}

/** API keys and bearer tokens of known shapes, as the server's redaction finds them. */
const KNOWN_KEY =
  /\b(?:sk-ant-[\w-]{20,}|sk-[\w-]{20,}|(?:sk|pk|rk)_(?:live|test)_\w{16,}|tg_\w{16,}|gh[pousr]_\w{30,}|xox[abprs]-[\w-]{10,}|AKIA[0-9A-Z]{16})\b|\bBearer\s+[\w.~+/-]{20,}=*/g;

export function scrubKeys(text: string): string {
  return text.replace(KNOWN_KEY, '[api_key]');
}

/** The event as it may leave the app (`beforeSend`). */
function scrubEvent(event: ErrorEvent): ErrorEvent {
  delete event.request;
  delete event.user;
  delete event.breadcrumbs;
  delete event.extra;
  if (event.message) event.message = scrubKeys(event.message);
  for (const exception of event.exception?.values ?? []) {
    if (exception.value) exception.value = scrubKeys(exception.value);
    for (const frame of exception.stacktrace?.frames ?? []) {
      delete frame.vars;
      delete frame.pre_context;
      delete frame.context_line;
      delete frame.post_context;
    }
  }
  return event;
}

/** The module name, in a variable so bundlers leave the optional dependency out. */
const SENTRY_MODULE = '@sentry/node';

export function createSentrySink(options: LoggerSentryOptions, warn: WarningSink): SentrySink {
  const runtime = globalThis as { process?: { env?: Record<string, string | undefined> } };
  const ready = (import(SENTRY_MODULE) as Promise<typeof SentryNode>).then(
    (sentry) => {
      const client = new sentry.NodeClient({
        dsn: options.dsn,
        environment: options.environment ?? runtime.process?.env?.NODE_ENV ?? 'production',
        release: options.release,
        transport: sentry.makeNodeTransport,
        stackParser: sentry.defaultStackParser,
        integrations: [sentry.linkedErrorsIntegration()],
        maxBreadcrumbs: 0,
        beforeSend: scrubEvent,
      });
      const scope = new sentry.Scope();
      scope.setClient(client);
      client.init();
      return { client, scope };
    },
    (error: unknown) => {
      warn(
        `createLogger: sentry needs the @sentry/node package (npm install @sentry/node); errors are not reported (${String(error)})`,
      );
      return undefined;
    },
  );
  return {
    capture(level, message, error, tags) {
      void ready.then((sentry) => {
        if (!sentry) return;
        try {
          const local = sentry.scope.clone();
          local.setLevel(level);
          for (const [name, value] of Object.entries(tags)) {
            if (value !== undefined) local.setTag(name, value);
          }
          if (error !== undefined) {
            local.setContext('log', { message: scrubKeys(message) });
            local.captureException(error);
          } else {
            local.captureMessage(message, level);
          }
        } catch {
          // Reporting never breaks the app.
        }
      });
    },
    async flush(timeoutMs) {
      const sentry = await ready;
      return sentry ? sentry.client.flush(timeoutMs) : true;
    },
  };
}
