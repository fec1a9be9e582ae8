/**
 * Every error code Tollgate's own API answers with: one catalogue, with the
 * HTTP status and what the code means. The "Errors" table of docs/errors.md lists
 * them; a test keeps the two in step.
 */
export const ERROR_CATALOGUE = {
  invalid_request: {
    status: 400,
    description: 'The request is malformed: a parameter or the body is invalid.',
  },
  invalid_events: {
    status: 400,
    description: 'No event of the batch is valid; every item has its own error.',
  },
  payload_too_large: { status: 413, description: 'The body is larger than the configured limit.' },
  unsupported_media_type: { status: 415, description: 'The body is not JSON or NDJSON.' },
  unauthorized: {
    status: 401,
    description: 'No API key, or the key is unknown, revoked or expired.',
  },
  forbidden: { status: 403, description: 'The key does not carry the scope this endpoint needs.' },
  not_found: { status: 404, description: 'No such route or resource (in the caller’s tenant).' },
  conflict: {
    status: 409,
    description:
      'The change conflicts with what is stored, e.g. deleting a credential a route uses.',
  },
  guardrail_blocked: {
    status: 400,
    description:
      'The prompt matches a reference prompt the project blocks (guardrails); nothing was sent upstream.',
  },
  rate_limit_exceeded: {
    status: 429,
    description:
      'A requests or tokens per minute limit (key, project, org or model) is reached; see Retry-After.',
  },
  budget_exceeded: {
    status: 402,
    description:
      'A hard budget limit (org, project, key or user) is reached for this period: gateway calls are refused until it resets.',
  },
  max_cost_exceeded: {
    status: 402,
    description:
      'The call’s estimated cost (prompt plus max output tokens) exceeds `x-tollgate-max-cost-usd`.',
  },
  model_unpriced: {
    status: 422,
    description:
      'A budget or `x-tollgate-max-cost-usd` applies and the model has no known price: `TOLLGATE_UNPRICED_POLICY=refuse` refuses it until its price is added (admin price API).',
  },
  spool_full: {
    status: 503,
    description:
      'The event store is unavailable and the local spool is full: events were not accepted.',
  },
  loop_detected: {
    status: 508,
    description:
      'The request came from Tollgate itself (a deployment or webhook pointing back at it): refused so it cannot loop.',
  },
  store_unavailable: { status: 503, description: 'A store the request needs is unreachable.' },
  internal_error: {
    status: 500,
    description: 'An unexpected error; the server log holds the details.',
  },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** An error with a catalogued code; the error handler turns it into `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Response headers the error needs, e.g. Retry-After. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.status = ERROR_CATALOGUE[code].status;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'ApiError' &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
