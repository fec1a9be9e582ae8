import { InvalidRequestError } from '@tollgate/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Where a call belongs in an agent run; the request id is the run when none is given. */
export interface CallTrace {
  runId?: string;
  parentId?: string;
  sessionId?: string;
  userId?: string;
  /** The app's W3C trace (`traceparent`): its trace id and the span that sent the call. */
  traceId?: string;
  parentSpanId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The call's place in a run, read once by `callTraceOf`. */
    callTrace: CallTrace | undefined;
  }
}

/** The headers that place a gateway call in an agent run, and the trace fields they fill. */
const TRACE_HEADERS = [
  ['x-tollgate-run-id', 'runId'],
  ['x-tollgate-parent-id', 'parentId'],
  ['x-tollgate-session-id', 'sessionId'],
  ['x-tollgate-user-id', 'userId'],
] as const;

/** A sane id: 1 to 128 printable ASCII characters, no space. */
const TRACE_ID = /^[\x21-\x7e]{1,128}$/;

/** W3C trace context: version 00, a 32-hex trace id and a 16-hex parent span id, neither all zeros. */
const TRACEPARENT = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})(?:-.*)?$/;

/** The longest app user id kept from a body's `user` (OpenAI) or `metadata.user_id` (Anthropic). */
const MAX_BODY_USER = 256;

/**
 * Where a gateway call belongs, for every gateway endpoint alike: run,
 * parent, session and user from `x-tollgate-*` headers; the user, when no
 * header names one, from the body's `user` (OpenAI) or `metadata.user_id`
 * (Anthropic); the app's trace from W3C `traceparent`. A `x-tollgate-*`
 * header that is not a sane id is refused with a 400 naming it (in the
 * endpoint's wire format, by its error handler), never silently replaced. A
 * malformed `traceparent` is ignored, as W3C asks of every receiver.
 *
 * Read once per request (the gateway's pre-handler calls it first) and kept on
 * the request, so budgets, policies and the recorded event see the same values.
 */
export function callTraceOf(request: FastifyRequest): CallTrace {
  if (request.callTrace) return request.callTrace;
  const trace: CallTrace = {};
  for (const [header, field] of TRACE_HEADERS) {
    const value = request.headers[header];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !TRACE_ID.test(value)) {
      throw new InvalidRequestError(
        `The header \`${header}\` must be 1 to 128 printable ASCII characters without spaces, sent once.`,
        { param: header, code: 'invalid_header' },
      );
    }
    trace[field] = value;
  }
  trace.userId ??= bodyUserOf(request.body);
  const traceparent = request.headers.traceparent;
  const parsed = typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent.trim()) : null;
  if (parsed && parsed[1] !== 'ff' && !/^0+$/.test(parsed[2]!) && !/^0+$/.test(parsed[3]!)) {
    trace.traceId = parsed[2];
    trace.parentSpanId = parsed[3];
  }
  request.callTrace = trace;
  return trace;
}

/**
 * Tells the client the gateway records this call (`x-tollgate-recorded: <request id>`), so
 * an SDK wrapper around the client (wrapOpenAI) records nothing of its own: one call, one record.
 */
export function markRecordedByGateway(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-tollgate-recorded', request.id);
}

/** OpenAI's `user` or Anthropic's `metadata.user_id`, when the body names the app's user. */
function bodyUserOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { user, metadata } = body as { user?: unknown; metadata?: { user_id?: unknown } };
  const named = user ?? (typeof metadata === 'object' ? metadata?.user_id : undefined);
  return typeof named === 'string' && named.length > 0 ? named.slice(0, MAX_BODY_USER) : undefined;
}
