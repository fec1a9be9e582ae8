import { describeError } from '../runtime/warn';

/** What became of one POST of a batch to `/api/v1/events`. */
export type PostOutcome =
  /** Stored; `rejected` events were invalid (a 207) and are not retried. */
  | { kind: 'stored'; accepted: number; rejected: number; firstError?: string }
  /** Worth trying again later: no answer, a timeout, 408, 429 or a 5xx. */
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  /** Trying again cannot help (bad key, no event valid, no such endpoint). */
  | { kind: 'refused'; reason: string }
  /** The body was larger than the server takes: send it in halves. */
  | { kind: 'too-large' };

export interface PostTarget {
  url: string;
  apiKey: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

interface ItemError {
  index?: number;
  field?: string;
  message?: string;
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: { errors?: ItemError[] } };
  accepted?: number;
  rejected?: number;
  errors?: ItemError[];
}

/** Sends one serialized batch; never throws. */
export async function postEvents(
  target: PostTarget,
  body: string,
  count: number,
): Promise<PostOutcome> {
  let response: Response;
  try {
    response = await target.fetch(target.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${target.apiKey}`,
        'content-type': 'application/json',
      },
      body,
      signal: AbortSignal.timeout(target.timeoutMs),
    });
  } catch (error) {
    return { kind: 'retry', reason: describeError(error) };
  }
  const answer = await readJson(response);
  const status = response.status;
  if (status === 200 || status === 207) {
    const accepted = typeof answer?.accepted === 'number' ? answer.accepted : count;
    const rejected = typeof answer?.rejected === 'number' ? answer.rejected : 0;
    return { kind: 'stored', accepted, rejected, firstError: describeItemError(answer?.errors) };
  }
  const message = answer?.error?.message ?? response.statusText;
  const reason = `HTTP ${status}${answer?.error?.code ? ` ${answer.error.code}` : ''}: ${message}`;
  if (status === 413) return { kind: 'too-large' };
  if (status === 408 || status === 429 || status >= 500) {
    return { kind: 'retry', reason, retryAfterMs: retryAfterOf(response) };
  }
  const itemError = describeItemError(answer?.error?.details?.errors);
  return { kind: 'refused', reason: itemError ? `${reason}; first: ${itemError}` : reason };
}

async function readJson(response: Response): Promise<ErrorBody | undefined> {
  try {
    return (await response.json()) as ErrorBody;
  } catch {
    return undefined;
  }
}

function describeItemError(errors: ItemError[] | undefined): string | undefined {
  const first = errors?.[0];
  if (!first) return undefined;
  return `event ${first.index ?? '?'}${first.field ? ` ${first.field}` : ''}: ${first.message ?? 'invalid'}`;
}

function retryAfterOf(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
