import { Readable } from 'node:stream';
import {
  parseChatCompletionRequest,
  parseEmbeddingRequest,
  tokenUsageOf,
  type OpenAIChatChunk,
} from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import { callsMade, recordPromptCall } from '../call/record-prompt-call';
import { costOfCall } from '../call/call-cost';
import { attemptsOf } from '../call/chat-call';
import { openAIErrorFrom } from '../formats/openai-error';
import { StoredResponses } from '../call/stored-responses';
import { openAIResponsesEndpoint } from './openai-responses-endpoint';
import { callTraceOf, markRecordedByGateway } from '../../http/call-trace';
import {
  chatContextOf,
  clientSignal,
  gatewayPreHandler,
  setCallHeaders,
  writeCoalescer,
} from './gateway-context';
import { imageEndpoints } from './image-endpoints';
import { videoEndpoints } from './video-endpoints';

/** SSE lines of an OpenAI stream; a failure after the first byte ends it with an error event. */
async function* openAIServerSentEvents(
  chunks: AsyncIterable<OpenAIChatChunk>,
  includeUsage: boolean,
  beforeWrite: () => void,
): AsyncGenerator<string> {
  try {
    for await (const chunk of chunks) {
      if (chunk.choices.length === 0 && chunk.usage && !includeUsage) continue;
      beforeWrite();
      if (!includeUsage && chunk.usage)
        yield `data: ${JSON.stringify({ ...chunk, usage: undefined })}\n\n`;
      else yield `data: ${JSON.stringify(chunk)}\n\n`;
    }
    beforeWrite();
    yield 'data: [DONE]\n\n';
  } catch (error) {
    beforeWrite();
    yield `data: ${JSON.stringify(openAIErrorFrom(error).body)}\n\n`;
  }
}

/** OpenAI-compatible endpoints: `/v1/chat/completions`, `/v1/responses`, `/v1/embeddings`, `/v1/models`. */
export async function openAIEndpoints(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error, _request, reply) => {
    const { status, body, headers } = openAIErrorFrom(error);
    return reply.status(status).headers(headers).send(body);
  });
  const { chat } = app.gateway;
  const recorder = {
    observers: app.promptCalls,
    batch: app.callRecords,
    logger: app.log,
    twins: app.gateway.twins,
  };

  app.post(
    '/v1/chat/completions',
    { preHandler: gatewayPreHandler(app, 'openai') },
    async (request, reply) => {
      const parsed = parseChatCompletionRequest(request.body);
      if (!parsed.success) throw parsed.error;
      const context = chatContextOf(request, clientSignal(request, reply));
      if (parsed.data.stream) {
        const answer = await chat.stream(parsed.data, context);
        setCallHeaders(reply, answer.info);
        reply.header('cache-control', 'no-cache').type('text/event-stream; charset=utf-8');
        const includeUsage = parsed.data.stream_options?.include_usage === true;
        return reply.send(
          Readable.from(openAIServerSentEvents(answer.chunks, includeUsage, writeCoalescer(reply))),
        );
      }
      const answer = await chat.complete(parsed.data, context);
      setCallHeaders(reply, answer.info, answer.unpriced ? undefined : answer.costNanos);
      reply.type('application/json');
      return reply.send(answer.rawBody ?? answer.response);
    },
  );

  app.post(
    '/v1/embeddings',
    {
      preHandler: [
        app.requireScope('gateway'),
        // The trace headers first: a bad one is refused before budgets and rate limits count the call.
        async (request) => void callTraceOf(request),
        app.governance.admitGatewayCall,
        async (request, reply) => markRecordedByGateway(request, reply),
      ],
    },
    async (request, reply) => {
      const parsed = parseEmbeddingRequest(request.body);
      if (!parsed.success) throw parsed.error;
      const context = chatContextOf(request, clientSignal(request, reply));
      const startedAt = performance.now();
      const route = await chat.resolve(context.tenant, parsed.data.model, context.knownRoute);
      const record = (facts: Partial<Parameters<typeof recordPromptCall>[2]>) =>
        recordPromptCall(recorder, context.tenant, {
          requestId: request.id,
          operation: 'embedding',
          status: 'success',
          modelRequested: parsed.data.model,
          inputTokens: 0,
          outputTokens: 0,
          cachedTokens: 0,
          costNanos: 0,
          latencyMs: performance.now() - startedAt,
          attempts: [],
          cacheHit: false,
          simulated: false,
          trace: context.trace,
          ...facts,
        });
      try {
        const routed = await app.gateway.router.run(
          context.tenant.orgId,
          route,
          context.signal,
          (provider, deployment, signal) =>
            provider.embed(
              { ...parsed.data, model: deployment.model },
              { deployment, signal, requestId: request.id },
            ),
        );
        const usage = routed.value.usage;
        const tokens = usage
          ? tokenUsageOf({ completion_tokens: 0, ...usage })
          : { inputTokens: 0, outputTokens: 0 };
        const cost = costOfCall(
          routed.deployment.model,
          { inputTokens: tokens.inputTokens, outputTokens: 0 },
          context.tenant,
        );
        const simulated = routed.deployment.provider === 'simulated';
        record({
          provider: routed.deployment.provider,
          servedModel: routed.deployment.model,
          inputTokens: tokens.inputTokens,
          costNanos: cost.costNanos,
          unpriced: !cost.priced,
          priceSource: cost.price?.source,
          attempts: routed.attempts,
          simulated,
        });
        setCallHeaders(
          reply,
          {
            provider: routed.deployment.provider,
            servedModel: routed.deployment.model,
            attempts: callsMade(routed.attempts).length,
            cache: 'bypass',
            simulated,
          },
          cost.costNanos,
        );
        return routed.value;
      } catch (error) {
        record({
          status: 'error',
          attempts: attemptsOf(error),
          errorMessage: (error as Error).message,
        });
        throw error;
      }
    },
  );

  imageEndpoints(app);
  videoEndpoints(app);
  await openAIResponsesEndpoint(app, new StoredResponses(app.stores.hot));

  app.get('/v1/models', { preHandler: app.requireScope('gateway') }, async (request) => {
    const models = await app.gateway.routeTable.callableModels(request.caller!.orgId);
    return {
      object: 'list',
      data: models.map(({ model, source, provider }) => ({
        id: model,
        object: 'model',
        created: 0,
        owned_by: provider ?? `tollgate-${source}`,
      })),
    };
  });
}
