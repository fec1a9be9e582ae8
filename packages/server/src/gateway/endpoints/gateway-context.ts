import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  preHandlerAsyncHookHandler,
} from 'fastify';
import { ApiError } from '../../http/errors';
import { loadTokenCounter, tokenCounterLoaded } from '../../tokens/token-counter';
import { promptReferenceHook, type GatewayBodyFormat } from '../../prompts/prompt-reference';
import type { CallInfo, ChatCallContext } from '../call/chat-call';
import type { CallTenant } from '../call/prompt-call-record';
import { callTraceOf, markRecordedByGateway } from '../../http/call-trace';

/**
 * The gateway endpoints' checks before a call, in order: the key's scope, the
 * trace headers (a bad one is a 400 naming it), a stored prompt rendered into the body, budgets and rate limits, then the
 * project's policies (flags, guardrails, PII). One pre-handler running them in
 * turn, rather than four, spares Fastify's hook plumbing on every call.
 */
export function gatewayPreHandler(
  app: FastifyInstance,
  format: GatewayBodyFormat,
): preHandlerAsyncHookHandler {
  const requireGatewayScope = app.requireScope('gateway');
  const renderPromptReference = promptReferenceHook(app.stores.meta, format);
  const { governance, policies } = app;
  return async function gatewayChecks(request, reply) {
    // The first call loads the tokenizer's tables without blocking the event loop.
    if (!tokenCounterLoaded()) await loadTokenCounter();
    await requireGatewayScope.call(this, request, reply);
    callTraceOf(request);
    await renderPromptReference.call(this, request, reply);
    await governance.admitGatewayCall(request, reply);
    await policies.screenGatewayCall(request);
    markRecordedByGateway(request, reply);
  };
}

/** The call context of a gateway request: tenant from the project key, cache mode from the headers. */
export function chatContextOf(request: FastifyRequest, signal: AbortSignal): ChatCallContext {
  const caller = request.caller!;
  if (!caller.projectId) {
    throw new ApiError(
      'forbidden',
      'the gateway needs a project key: calls are recorded in a project',
    );
  }
  const tenant: CallTenant = {
    orgId: caller.orgId,
    projectId: caller.projectId,
    retentionDays: caller.retentionDays,
    priceOverrides: caller.priceOverrides,
    contentStorage: caller.contentStorage,
    piiRedaction: caller.piiRedaction,
    contentKey: caller.contentKey,
  };
  const cacheControl = String(request.headers['cache-control'] ?? '');
  const bypass =
    request.headers['x-tollgate-cache'] === 'bypass' || /\bno-(cache|store)\b/.test(cacheControl);
  return {
    tenant,
    requestId: request.id,
    signal,
    // The project's `cache` flag (set by the policies' pre-handler) can turn the cache off too.
    cacheMode: bypass || request.responseCacheEnabled === false ? 'bypass' : 'use',
    trace: callTraceOf(request),
    prompt: request.usedPrompt,
    // Resolved by the admission check (per-route rate limits); the call need not resolve it again.
    knownRoute: request.admittedRoute,
  };
}

/** Aborts when the client goes away before the answer is complete. */
export function clientSignal(request: FastifyRequest, reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished)
      controller.abort(new DOMException('the client closed the connection', 'AbortError'));
  });
  void request;
  return controller.signal;
}

/** The call's headers; `x-tollgate-cost-usd` only when the cost is known (never $0 for unpriced). */
export function setCallHeaders(reply: FastifyReply, info: CallInfo, costNanos?: number): void {
  reply.header('x-tollgate-provider', info.provider);
  reply.header('x-tollgate-model', info.servedModel);
  reply.header('x-tollgate-attempts', String(info.attempts));
  reply.header('x-tollgate-cache', info.cache);
  if (info.simulated) reply.header('x-tollgate-simulated', 'true');
  if (costNanos !== undefined) reply.header('x-tollgate-cost-usd', (costNanos / 1e9).toFixed(9));
}

/**
 * For SSE responses: call before each event is handed to the stream. Events
 * that are ready together (one upstream read often carries several) then reach
 * the socket in one write instead of one write each: the socket is corked at
 * the first and uncorked once the event loop moves on, which delays nothing
 * that could have been sent earlier.
 */
export function writeCoalescer(reply: FastifyReply): () => void {
  const response = reply.raw;
  let corked = false;
  const uncork = () => {
    corked = false;
    // After the end the socket is already fully uncorked (and may serve the next request).
    if (!response.writableEnded) response.uncork();
  };
  return () => {
    if (corked) return;
    corked = true;
    response.cork();
    setImmediate(uncork);
  };
}
