import { expect } from 'vitest';
import type { TestServer } from './test-server';

/** Tollgate's error body. */
export interface ErrorAnswer {
  error: { code: string; message: string; details?: { field?: string; routes?: string[] } };
}

/** One entry of `GET /api/v1/admin/audit`. */
export interface AuditEntryAnswer {
  action: string;
  target_type: string;
  target_id: string;
  actor_key_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  created_at: string;
}

/**
 * `send(method, path, body?, key?)`: a request (with a JSON body when given) to
 * the server `current` returns when it is called, as that server's admin unless
 * another key is named. `current` lets a test file bind it before `beforeAll`
 * has started the server.
 */
export function adminSender(current: () => TestServer) {
  return (method: string, path: string, body?: unknown, key = current().tenant.adminKey) =>
    current().request(path, {
      method,
      key,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
}

/** The response's JSON (undefined for an empty body), after checking its status (the body is the failure message). */
export async function json<T = Record<string, unknown>>(
  response: Response,
  status: number,
): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A 400 `invalid_request` naming `field` in its details and at the start of its message. */
export async function expectInvalid(response: Response, field: string): Promise<void> {
  const answer = await json<ErrorAnswer>(response, 400);
  expect(answer.error.code).toBe('invalid_request');
  expect(answer.error.details?.field).toBe(field);
  expect(answer.error.message.startsWith(`${field}: `)).toBe(true);
}
