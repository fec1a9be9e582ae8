import { describeError } from '../runtime/warn';

/**
 * One read of `GET /api/v1/analytics/cost/summary` and its answer in the SDK's
 * shape. Money stays exact: USD and nano-dollars as decimal strings, as the
 * server sends them; nothing here passes through a float.
 */

/** Whose spend: an end user (`user_id` on the events), a project (an org key), or both. */
export interface CostSubject {
  userId?: string;
  projectId?: string;
}

export interface CostBreakdown {
  /** The operation, the model, or the day (ISO-8601, UTC midnight). */
  key: string;
  operations: number;
  inputTokens: number;
  outputTokens: number;
  /** Exact decimal USD, e.g. `"0.0042"`. */
  costUsd: string;
  costNanos: string;
}

export interface CostSummary {
  from: string;
  to: string;
  userId: string | null;
  projectId: string | null;
  /** Exact decimal USD of the priced operations. */
  totalUsd: string;
  totalNanos: string;
  /** Model calls counted (priced and unpriced). */
  operations: number;
  /** Calls whose cost is unknown (no price): not in the totals, never counted as $0. */
  unpricedOperations: number;
  byOperation: CostBreakdown[];
  byModel: CostBreakdown[];
  byDay: CostBreakdown[];
}

/** Why a read of the costs failed: no answer (`unreachable`) or an error answer (`status`). */
export class CostsUnavailableError extends Error {
  readonly kind = 'tollgate-costs-unavailable';
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CostsUnavailableError';
  }
}

/** Recognises the error by its shape, across copies of the SDK. */
export function isCostsUnavailableError(error: unknown): error is CostsUnavailableError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { kind?: unknown }).kind === 'tollgate-costs-unavailable'
  );
}

export interface SummaryTarget {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

interface ServerRow {
  key: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: string;
  cost_nanos: string;
}

interface ServerSummary {
  from: string;
  to: string;
  project_id: string | null;
  user_id: string | null;
  total: ServerRow;
  by_operation: ServerRow[];
  by_model: ServerRow[];
  by_day: ServerRow[];
  unpriced: { calls: number };
}

function breakdown(row: ServerRow): CostBreakdown {
  return {
    key: row.key,
    operations: row.requests,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costUsd: row.cost_usd,
    costNanos: row.cost_nanos,
  };
}

/** The query string of a summary over [from, to) for a subject. */
export function summaryQuery(subject: CostSubject, from: number, to: number): string {
  const parameters = new URLSearchParams({
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
  });
  if (subject.projectId !== undefined) parameters.set('project_id', subject.projectId);
  if (subject.userId !== undefined) parameters.set('user_id', subject.userId);
  return parameters.toString();
}

/** Reads one summary; rejects with `CostsUnavailableError` when there is no usable answer. */
export async function readCostSummary(target: SummaryTarget, query: string): Promise<CostSummary> {
  let response: Response;
  try {
    response = await target.fetch(`${target.baseUrl}/api/v1/analytics/cost/summary?${query}`, {
      headers: { authorization: `Bearer ${target.apiKey}`, accept: 'application/json' },
      signal: AbortSignal.timeout(target.timeoutMs),
    });
  } catch (error) {
    throw new CostsUnavailableError(`Tollgate unreachable: ${describeError(error)}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new CostsUnavailableError(
      `HTTP ${response.status}: unreadable answer (${describeError(error)})`,
      response.status,
    );
  }
  if (!response.ok) {
    const failure = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new CostsUnavailableError(
      `HTTP ${response.status}${failure?.code ? ` ${failure.code}` : ''}: ${failure?.message ?? response.statusText}`,
      response.status,
      failure?.code,
    );
  }
  const summary = body as ServerSummary;
  if (typeof summary?.total?.cost_usd !== 'string' || !Array.isArray(summary.by_day)) {
    throw new CostsUnavailableError('the server answered without a cost summary', response.status);
  }
  return {
    from: summary.from,
    to: summary.to,
    userId: summary.user_id,
    projectId: summary.project_id,
    totalUsd: summary.total.cost_usd,
    totalNanos: summary.total.cost_nanos,
    operations: summary.total.requests,
    unpricedOperations: summary.unpriced?.calls ?? 0,
    byOperation: summary.by_operation.map(breakdown),
    byModel: summary.by_model.map(breakdown),
    byDay: summary.by_day.map(breakdown),
  };
}
