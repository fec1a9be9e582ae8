/**
 * The dashboard's one way to the server: the signed-in key on every request,
 * and on every read the organization chosen in the URL (`org_id`, for an
 * admin of the operator organization).
 */
import { ORG_PARAMETER, selectedOrgId } from './url-state';

const KEY_STORAGE = 'tollgate.key';

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  signIn: (key: string) => sessionStorage.setItem(KEY_STORAGE, key),
  signOut: () => sessionStorage.removeItem(KEY_STORAGE),
};

/** An API error answer (`{ error: { code, message } }`) or a network failure (status 0). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The request field the error names, when it names one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export type Params = Record<string, string | number | undefined | null>;

export function withParams(path: string, params: Params = {}): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** A read's parameters with the chosen org; `org_id: null` in `params` reads the key's own org. */
export function readParams(params: Params = {}): Params {
  return ORG_PARAMETER in params ? params : { [ORG_PARAMETER]: selectedOrgId(), ...params };
}

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      headers: {
        authorization: `Bearer ${session.key() ?? ''}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
    });
  } catch (error) {
    throw new ApiFailure(0, 'network', `the server is unreachable (${String(error)})`);
  }
  if (response.ok) return response;
  let code = 'http_error';
  let message = `HTTP ${response.status}`;
  let field: string | undefined;
  try {
    const body = (await response.json()) as {
      error?: { code?: string; message?: string; details?: { field?: string } };
    };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
    field = body.error?.details?.field;
  } catch {
    // Not a Tollgate error body: keep the status.
  }
  throw new ApiFailure(response.status, code, message, field);
}

export async function getJson<T>(path: string, params?: Params): Promise<T> {
  return (await send(withParams(path, readParams(params)))).json() as Promise<T>;
}

export async function getText(path: string, params?: Params): Promise<string> {
  return (await send(withParams(path, readParams(params)))).text();
}

/** A write: always to the key's own org (the API refuses `org_id` on writes). */
export async function sendJson<T>(method: string, path: string, body?: unknown): Promise<T | null> {
  const response = await send(path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return response.status === 204 ? null : (response.json() as Promise<T>);
}

/**
 * Reads a Server-Sent Events stream with fetch (EventSource cannot send the
 * key in a header) and calls `onEvent` for each event until `signal` aborts.
 */
export async function streamEvents(
  path: string,
  params: Params,
  onEvent: (type: string, data: unknown) => void,
  signal: AbortSignal,
): Promise<void> {
  const response = await send(withParams(path, readParams(params)), { signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) type = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      onEvent(type, data ? JSON.parse(data) : null);
    }
  }
}
