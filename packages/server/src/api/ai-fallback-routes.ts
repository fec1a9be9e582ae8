import {
  isFailoverError,
  isInvalidRequestError,
  isUpstreamError,
  resolveModelPrice,
  tokenUsageOf,
  usdPerMillionTokens,
  type EventTenant,
  type OpenAIChatRequest,
} from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ChatAnswer, ChatCallContext } from '../gateway/call/chat-call';
import { chatContextOf, clientSignal } from '../gateway/endpoints/gateway-context';
import type { ResolvedRoute } from '../gateway/routing/route-table';
import { ApiError } from '../http/errors';

/**
 * `POST /api/v1/ai/fallback`: a method the app's service does not have is
 * answered by a model, in two calls through the gateway (so routing,
 * failover, breakers and recording apply): first a decision whether the
 * caller wants text or a structured object, then the generation. With
 * `maxCostUsd`, the call is refused when even a short answer would cost more,
 * and the generation's `max_tokens` is bounded by what is left.
 */

const fallbackBodySchema = z.object({
  service: z.string().min(1).max(256),
  method: z.string().min(1).max(256),
  args: z.union([z.array(z.unknown()).max(100), z.record(z.string(), z.unknown())]).default([]),
  model: z.string().min(1).max(256),
  maxCostUsd: z.number().positive().max(1000).optional(),
});
type FallbackBody = z.output<typeof fallbackBodySchema>;

type Decision = 'text' | 'object';

/** Tokens the decision may write: `{"decision":"object"}` is about 6. */
const DECISION_MAX_TOKENS = 24;
/** A generation shorter than this is not worth starting. */
const MIN_GENERATION_TOKENS = 16;
const DEFAULT_GENERATION_MAX_TOKENS = 1024;
/** Arguments longer than this (as JSON) are cut in the prompt. */
const MAX_ARGS_CHARS = 20_000;

const DECISION_FORMAT = {
  type: 'json_schema' as const,
  json_schema: {
    name: 'fallback_decision',
    strict: true,
    schema: {
      type: 'object',
      properties: { decision: { type: 'string', enum: ['text', 'object'] } },
      required: ['decision'],
      additionalProperties: false,
    },
  },
};

export async function aiFallbackRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/api/v1/ai/fallback',
    { preValidation: app.requireScope('gateway'), schema: { body: fallbackBodySchema } },
    async (request, reply) => {
      const body = request.body;
      const context = chatContextOf(request, clientSignal(request, reply));
      const route = await resolveRoute(app, context.tenant, body.model);
      const price = highestPrice(route, context.tenant);
      const described = describeCall(body);

      const decisionRequest = decisionRequestOf(body.model, described);
      const generationInputTokens = estimateTokens(
        generationRequestOf(body.model, described, 'object', 1),
      );
      const minimumUsd =
        costUsd(price, estimateTokens(decisionRequest), DECISION_MAX_TOKENS) +
        costUsd(price, generationInputTokens, MIN_GENERATION_TOKENS);
      if (body.maxCostUsd !== undefined && minimumUsd > body.maxCostUsd) {
        throw costLimit(minimumUsd, body.maxCostUsd);
      }

      const decisionStarted = performance.now();
      const decisionAnswer = await complete(app, decisionRequest, context);
      const decisionLatencyMs = roundMs(performance.now() - decisionStarted);
      const decision = parseDecision(messageText(decisionAnswer));

      let maxTokens = DEFAULT_GENERATION_MAX_TOKENS;
      if (body.maxCostUsd !== undefined && price && price.outputPerToken > 0) {
        const spentUsd = decisionAnswer.costNanos / 1e9 + costUsd(price, generationInputTokens, 0);
        const affordable = Math.floor((body.maxCostUsd - spentUsd) / price.outputPerToken);
        if (affordable < MIN_GENERATION_TOKENS) {
          throw costLimit(spentUsd + costUsd(price, 0, MIN_GENERATION_TOKENS), body.maxCostUsd);
        }
        maxTokens = Math.min(maxTokens, affordable);
      }

      const generationStarted = performance.now();
      const generation = await complete(
        app,
        generationRequestOf(body.model, described, decision, maxTokens),
        context,
      );
      const generationLatencyMs = roundMs(performance.now() - generationStarted);
      const { decision: answered, result } = resultOf(decision, messageText(generation));
      const tokens = [decisionAnswer, generation].map((answer) =>
        answer.response.usage ? tokenUsageOf(answer.response.usage) : undefined,
      );
      return {
        decision: answered,
        result,
        model: generation.info.servedModel,
        tokens: {
          input: tokens.reduce((sum, usage) => sum + (usage?.inputTokens ?? 0), 0),
          output: tokens.reduce((sum, usage) => sum + (usage?.outputTokens ?? 0), 0),
        },
        costUsd: (decisionAnswer.costNanos + generation.costNanos) / 1e9,
        decisionLatencyMs,
        generationLatencyMs,
      };
    },
  );
}

async function resolveRoute(
  app: FastifyInstance,
  tenant: EventTenant,
  model: string,
): Promise<ResolvedRoute> {
  try {
    return await app.gateway.chat.resolve(tenant, model);
  } catch (error) {
    if (isInvalidRequestError(error)) {
      throw new ApiError(error.status === 404 ? 'not_found' : 'invalid_request', error.message, {
        field: 'model',
      });
    }
    throw error;
  }
}

interface PerTokenPrice {
  inputPerToken: number;
  outputPerToken: number;
}

/**
 * The dearest per-token price among the route's deployments (failover may
 * land on any of them). Deployments without a known price are left out; a
 * route with none priced is estimated at zero.
 */
function highestPrice(route: ResolvedRoute, tenant: EventTenant): PerTokenPrice | undefined {
  let highest: PerTokenPrice | undefined;
  for (const deployment of route.deployments) {
    const rates = resolveModelPrice(deployment.model, tenant.priceOverrides)?.price.rates;
    if (!rates) continue;
    highest = {
      inputPerToken: Math.max(highest?.inputPerToken ?? 0, usdPerMillionTokens(rates.input) / 1e6),
      outputPerToken: Math.max(
        highest?.outputPerToken ?? 0,
        usdPerMillionTokens(rates.output) / 1e6,
      ),
    };
  }
  return highest;
}

function costUsd(price: PerTokenPrice | undefined, inputTokens: number, outputTokens: number) {
  if (!price) return 0;
  return inputTokens * price.inputPerToken + outputTokens * price.outputPerToken;
}

/** A deliberately high estimate (three characters a token, plus overhead per message). */
function estimateTokens(request: OpenAIChatRequest): number {
  let tokens = 8;
  for (const message of request.messages) {
    const content =
      typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
    tokens += 8 + Math.ceil((content ?? '').length / 3);
  }
  return tokens;
}

function costLimit(estimatedUsd: number, maxCostUsd: number): ApiError {
  return new ApiError(
    'invalid_request',
    `the fallback would cost about ${estimatedUsd.toFixed(6)} USD, more than maxCostUsd ${maxCostUsd}`,
    {
      field: 'maxCostUsd',
      reason: 'cost_limit',
      estimated_cost_usd: estimatedUsd,
      max_cost_usd: maxCostUsd,
    },
  );
}

function describeCall(body: FallbackBody): string {
  let args = JSON.stringify(body.args);
  if (args.length > MAX_ARGS_CHARS) args = `${args.slice(0, MAX_ARGS_CHARS)}… (cut)`;
  return `Service: ${body.service}\nMethod: ${body.method}\nArguments (JSON): ${args}`;
}

function decisionRequestOf(model: string, described: string): OpenAIChatRequest {
  return {
    model,
    temperature: 0,
    max_tokens: DECISION_MAX_TOKENS,
    response_format: DECISION_FORMAT,
    messages: [
      {
        role: 'system',
        content:
          'An application called a method of its own service that does not exist, and you will stand in for it. ' +
          'Decide what its caller expects back: "text" (a sentence, a paragraph, a label) or "object" ' +
          '(structured data: a record, a list, numbers with fields). Answer with JSON: {"decision": "text"} or {"decision": "object"}.',
      },
      { role: 'user', content: described },
    ],
  };
}

function generationRequestOf(
  model: string,
  described: string,
  decision: Decision,
  maxTokens: number,
): OpenAIChatRequest {
  const shape =
    decision === 'object'
      ? 'Reply with its return value only, as one JSON value (an object or an array) and nothing else.'
      : 'Reply with its return value only, as plain text, with no preamble.';
  const request: OpenAIChatRequest = {
    model,
    max_tokens: maxTokens,
    messages: [
      {
        role: 'system',
        content: `An application called a method of its own service that does not exist; answer as that method would. ${shape}`,
      },
      { role: 'user', content: described },
    ],
  };
  if (decision === 'object') request.response_format = { type: 'json_object' };
  return request;
}

async function complete(
  app: FastifyInstance,
  request: OpenAIChatRequest,
  context: ChatCallContext,
): Promise<ChatAnswer> {
  try {
    return await app.gateway.chat.complete(request, context);
  } catch (error) {
    if (context.signal.aborted) throw error;
    if (isInvalidRequestError(error)) {
      throw new ApiError('invalid_request', error.message, {
        field: 'model',
        reason: 'model_refused',
      });
    }
    if (isFailoverError(error) || isUpstreamError(error)) {
      const cause = isFailoverError(error) ? error.lastError : error;
      const message = cause instanceof Error ? cause.message : String(cause ?? error.message);
      throw new ApiError('internal_error', `the model call failed: ${message}`, {
        reason: 'upstream_failed',
      });
    }
    throw error;
  }
}

function messageText(answer: ChatAnswer): string {
  const content = answer.response.choices[0]?.message.content;
  return typeof content === 'string' ? content : '';
}

/** `{"decision":"object"}` as asked; a model that ignored the format is read for the word. */
function parseDecision(text: string): Decision {
  try {
    const parsed = JSON.parse(text) as { decision?: unknown };
    if (parsed.decision === 'object' || parsed.decision === 'text') return parsed.decision;
  } catch {
    // Not JSON: read the words.
  }
  return /\bobject\b/i.test(text) ? 'object' : 'text';
}

/** The generated value: parsed JSON for an object (fences tolerated); text when it is not JSON. */
function resultOf(decision: Decision, text: string): { decision: Decision; result: unknown } {
  if (decision === 'text') return { decision, result: text.trim() };
  const unfenced = text.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, '$1');
  try {
    return { decision, result: JSON.parse(unfenced) };
  } catch {
    return { decision: 'text', result: text.trim() };
  }
}

function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
