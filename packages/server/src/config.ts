import { resolve } from 'node:path';
import { z } from 'zod';
import {
  UNPRICED_POLICY_PATTERN,
  parseUnpricedPolicy,
  type UnpricedPolicy,
} from './pricing/unpriced-policy';
import { allowEntryProblem } from './outbound/allow-list';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value : undefined))
    .refine(
      (value) => {
        if (value === undefined) return true;
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
    );

/** A comma-separated list's entries, trimmed, empty ones dropped. */
const listOf = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);

const integer = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/**
 * Every environment variable Tollgate reads, with its default. docs/configuration.md's
 * configuration table lists the same variables; a test keeps the two in step.
 */
export const environmentSchema = z.object({
  PORT: integer(4000, 0, 65_535),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  TOLLGATE_DATA_DIR: z.string().trim().min(1).default('./data'),
  CLICKHOUSE_URL: optionalUrl(['http:', 'https:']),
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  TOLLGATE_INGEST_MAX_BYTES: integer(10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  TOLLGATE_INGEST_MAX_EVENTS: integer(10_000, 1, 1_000_000),
  TOLLGATE_SPOOL_MAX_BYTES: integer(1024 * 1024 * 1024, 1024, Number.MAX_SAFE_INTEGER),
  TOLLGATE_INSERT_TIMEOUT_MS: integer(10_000, 100, 600_000),
  TOLLGATE_DEDUPE_WINDOW_HOURS: integer(24, 1, 720),
  TOLLGATE_DEDUPE_MEMORY_IDS: integer(1_000_000, 1_000, 100_000_000),
  TOLLGATE_INGEST_FUTURE_SKEW_MS: integer(3_600_000, 0, 31 * 86_400_000),
  TOLLGATE_ROUTES: z.string().trim().min(1).optional(),
  TOLLGATE_SECRET_KEY: z.string().trim().min(1).optional(),
  TOLLGATE_PREVIOUS_SECRET_KEY: z.string().trim().min(1).optional(),
  TOLLGATE_KEY_CACHE_MS: integer(5_000, 0, 3_600_000),
  TOLLGATE_BREAKER_FAILURES: integer(5, 1, 10_000),
  TOLLGATE_BREAKER_WINDOW_MS: integer(60_000, 100, 86_400_000),
  TOLLGATE_BREAKER_COOLDOWN_MS: integer(30_000, 10, 86_400_000),
  TOLLGATE_STREAM_IDLE_TIMEOUT_MS: integer(0, 0, 3_600_000),
  TOLLGATE_JOURNAL_SYNC_MS: integer(1_000, 0, 3_600_000),
  TOLLGATE_VIDEO_POLL_INITIAL_MS: integer(2_000, 1, 3_600_000),
  TOLLGATE_VIDEO_POLL_MAX_MS: integer(30_000, 1, 3_600_000),
  TOLLGATE_VIDEO_DEADLINE_MS: integer(3_600_000, 1_000, 7 * 86_400_000),
  TOLLGATE_VIDEO_SCAN_MS: integer(5_000, 10, 3_600_000),
  TOLLGATE_METRICS_TOKEN: z.string().trim().min(1).optional(),
  TOLLGATE_ALERTS: z.string().trim().min(1).optional(),
  TOLLGATE_MODEL_RPM: integer(0, 0, 1_000_000_000),
  TOLLGATE_MODEL_TPM: integer(0, 0, 1_000_000_000),
  TOLLGATE_RETENTION_TIME: z
    .string()
    .trim()
    .regex(/^(off|([01]\d|2[0-3]):[0-5]\d)$/, 'must be HH:MM (UTC, 24-hour) or "off"')
    .default('02:00'),
  TOLLGATE_BUDGET_RECONCILE_MS: integer(3_600_000, 1_000, 86_400_000),
  TOLLGATE_META_SHARED_BUFFERS_MB: integer(16, 1, 128),
  TOLLGATE_PRICE_CATALOGUE: z.string().trim().min(1).optional(),
  TOLLGATE_UNPRICED_POLICY: z
    .string()
    .trim()
    .regex(
      UNPRICED_POLICY_PATTERN,
      'must be "refuse", "allow" or a default price "input/output" in USD per million tokens',
    )
    .default('refuse'),
  TOLLGATE_OUTBOUND_ALLOW: z
    .string()
    .trim()
    .optional()
    .superRefine((value, context) => {
      for (const entry of listOf(value)) {
        const problem = allowEntryProblem(entry);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      }
    }),
  TOLLGATE_OUTBOUND_OPERATOR_EXEMPT: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  SENTRY_DSN: optionalUrl(['http:', 'https:']).refine(
    (value) => value === undefined || isSentryDsn(value),
    { message: 'must be a Sentry DSN: http(s)://<public key>@<host>/<project id>' },
  ),
  SENTRY_ENVIRONMENT: z.string().trim().min(1).max(64).default('production'),
  SENTRY_RELEASE: z.string().trim().min(1).max(200).optional(),
});

/** `http(s)://<public key>@<host>[:port][/path]/<project id>`, as Sentry shows a project's DSN. */
function isSentryDsn(value: string): boolean {
  const url = new URL(value);
  return url.username !== '' && /\/[\w-]+$/.test(url.pathname);
}

export type Environment = z.infer<typeof environmentSchema>;

export interface Configuration {
  port: number;
  host: string;
  dataDir: string;
  clickhouseUrl?: string;
  databaseUrl?: string;
  redisUrl?: string;
  logLevel: (typeof LOG_LEVELS)[number];
  ingest: {
    maxBytes: number;
    maxEvents: number;
    insertTimeoutMs: number;
    /** How far ahead of the server's clock an ingested event's time may be. */
    maxFutureSkewMs: number;
  };
  /** Exactly once by event_id: how long an id is remembered, and how many ids the memory hot store keeps. */
  dedupe: { windowMs: number; memoryIds: number };
  spool: { maxBytes: number };
  /** YAML or JSON file of gateway routes. */
  routesFile?: string;
  /** 256-bit master key wrapping provider credentials and content keys; generated into the data directory when unset. */
  secretKey?: string;
  /** The master key being replaced, for `tollgate secrets rotate` only. */
  previousSecretKey?: string;
  /** How long a verified API key is reused before the meta store is asked again. */
  keyCacheMs: number;
  breaker: { failureThreshold: number; windowMs: number; coolDownMs: number };
  /** Once a stream has begun, the longest wait for its next chunk (0: the deployment's timeout). */
  streamIdleTimeoutMs: number;
  /** The gateway's call journal: how often its lines are fdatasync'ed (0: never). */
  journal: { syncIntervalMs: number };
  /** Video jobs: the poll backoff (first wait, ×1.5, cap), the deadline, the scan for due jobs. */
  videos: {
    pollInitialMs: number;
    pollMaxMs: number;
    pollFactor: number;
    deadlineMs: number;
    scanMs: number;
    leaseMs: number;
  };
  /** Per-minute limits of each model per org (0: none); keys, projects and orgs have their own. */
  rateLimits: { modelRequestsPerMinute: number; modelTokensPerMinute: number };
  /** When (UTC) the daily retention job runs in this process; undefined: never (`off`). */
  retentionTime?: { hour: number; minute: number };
  /** How often budget spend counters are recomputed from the event store (and once at start). */
  budgets: { reconcileIntervalMs: number };
  /** shared_buffers of the embedded meta store (PGlite), in MB: resident for the process's life. */
  metaSharedBuffersMb: number;
  pricing: {
    /** A price catalogue in LiteLLM's format (file path or http(s) URL) loaded at start-up. */
    catalogue: string | undefined;
    unpricedPolicy: UnpricedPolicy;
  };
  /** Bearer token `GET /metrics` asks for; unset, the endpoint is open (bound by `host`). */
  metricsToken?: string;
  /** YAML or JSON file of alert rules. */
  alertsFile?: string;
  /**
   * What tenants' deployments and webhooks may reach beyond public addresses (hosts, addresses,
   * CIDR ranges), and whether the operator org's own configuration is exempt.
   */
  outbound: { allow: string[]; operatorExempt: boolean };
  /** Error reporting to Sentry (`SENTRY_DSN`); undefined: off. The release defaults to `tollgate@<version>`. */
  sentry?: { dsn: string; environment: string; release?: string };
  /** The process environment at start-up: provider keys (`OPENAI_API_KEY`, ...) and `apiKeyEnv` of routes. */
  environment: Record<string, string | undefined>;
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** Parses the environment once at start-up; a bad value stops start-up with a message naming it. */
export function loadConfiguration(environment: NodeJS.ProcessEnv = process.env): Configuration {
  const known = Object.fromEntries(
    Object.keys(environmentSchema.shape).map((name) => [name, environment[name] || undefined]),
  );
  const parsed = environmentSchema.safeParse(known);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) =>
        `${issue.path.join('.')}=${JSON.stringify(known[String(issue.path[0])])}: ${issue.message}`,
    );
    throw new ConfigurationError(`invalid configuration: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  return {
    port: values.PORT,
    host: values.HOST,
    dataDir: resolve(values.TOLLGATE_DATA_DIR),
    clickhouseUrl: values.CLICKHOUSE_URL,
    databaseUrl: values.DATABASE_URL,
    redisUrl: values.REDIS_URL,
    logLevel: values.LOG_LEVEL,
    ingest: {
      maxBytes: values.TOLLGATE_INGEST_MAX_BYTES,
      maxEvents: values.TOLLGATE_INGEST_MAX_EVENTS,
      insertTimeoutMs: values.TOLLGATE_INSERT_TIMEOUT_MS,
      maxFutureSkewMs: values.TOLLGATE_INGEST_FUTURE_SKEW_MS,
    },
    spool: { maxBytes: values.TOLLGATE_SPOOL_MAX_BYTES },
    dedupe: {
      windowMs: values.TOLLGATE_DEDUPE_WINDOW_HOURS * 3_600_000,
      memoryIds: values.TOLLGATE_DEDUPE_MEMORY_IDS,
    },
    routesFile: values.TOLLGATE_ROUTES ? resolve(values.TOLLGATE_ROUTES) : undefined,
    secretKey: values.TOLLGATE_SECRET_KEY,
    previousSecretKey: values.TOLLGATE_PREVIOUS_SECRET_KEY,
    keyCacheMs: values.TOLLGATE_KEY_CACHE_MS,
    breaker: {
      failureThreshold: values.TOLLGATE_BREAKER_FAILURES,
      windowMs: values.TOLLGATE_BREAKER_WINDOW_MS,
      coolDownMs: values.TOLLGATE_BREAKER_COOLDOWN_MS,
    },
    streamIdleTimeoutMs: values.TOLLGATE_STREAM_IDLE_TIMEOUT_MS,
    journal: { syncIntervalMs: values.TOLLGATE_JOURNAL_SYNC_MS },
    videos: {
      pollInitialMs: values.TOLLGATE_VIDEO_POLL_INITIAL_MS,
      pollMaxMs: values.TOLLGATE_VIDEO_POLL_MAX_MS,
      pollFactor: 1.5,
      deadlineMs: values.TOLLGATE_VIDEO_DEADLINE_MS,
      scanMs: values.TOLLGATE_VIDEO_SCAN_MS,
      // Far longer than a poll (an upstream call with its timeout), so a live owner never loses it.
      leaseMs: 120_000,
    },
    metricsToken: values.TOLLGATE_METRICS_TOKEN,
    budgets: { reconcileIntervalMs: values.TOLLGATE_BUDGET_RECONCILE_MS },
    metaSharedBuffersMb: values.TOLLGATE_META_SHARED_BUFFERS_MB,
    pricing: {
      catalogue: values.TOLLGATE_PRICE_CATALOGUE,
      unpricedPolicy: parseUnpricedPolicy(values.TOLLGATE_UNPRICED_POLICY),
    },
    retentionTime:
      values.TOLLGATE_RETENTION_TIME === 'off'
        ? undefined
        : {
            hour: Number(values.TOLLGATE_RETENTION_TIME.slice(0, 2)),
            minute: Number(values.TOLLGATE_RETENTION_TIME.slice(3, 5)),
          },
    rateLimits: {
      modelRequestsPerMinute: values.TOLLGATE_MODEL_RPM,
      modelTokensPerMinute: values.TOLLGATE_MODEL_TPM,
    },
    alertsFile: values.TOLLGATE_ALERTS ? resolve(values.TOLLGATE_ALERTS) : undefined,
    outbound: {
      allow: listOf(values.TOLLGATE_OUTBOUND_ALLOW),
      operatorExempt: values.TOLLGATE_OUTBOUND_OPERATOR_EXEMPT,
    },
    sentry: values.SENTRY_DSN
      ? {
          dsn: values.SENTRY_DSN,
          environment: values.SENTRY_ENVIRONMENT,
          release: values.SENTRY_RELEASE,
        }
      : undefined,
    environment: { ...environment },
  };
}
