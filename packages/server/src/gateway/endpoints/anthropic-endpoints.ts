import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { OpenAIChatChunk, StreamUsageReport } from '@tollgate/core';
import { anthropicErrorFrom } from '../formats/anthropic-messages-error';
import {
  convertAnthropicMessagesRequest,
  convertToAnthropicMessagesResponse,
  parseAnthropicMessagesRequest,
} from '../formats/anthropic-messages';
import { formatAnthropicSse, toAnthropicStreamEvents } from '../formats/anthropic-messages-stream';
import {
  countAnthropicInputTokens,
  parseAnthropicCountTokensRequest,
} from '../formats/anthropic-count-tokens';
import { loadTokenCounter } from '../../tokens/token-counter';
import {
  chatContextOf,
  clientSignal,
  gatewayPreHandler,
  setCallHeaders,
  writeCoalescer,
} from './gateway-context';

async function* anthropicServerSentEvents(
  chunks: AsyncIterable<OpenAIChatChunk>,
  options: { model: string; reported?: StreamUsageReport },
  beforeWrite: () => void,
): AsyncGenerator<string> {
  try {
    for await (const event of toAnthropicStreamEvents(chunks, options)) {
      beforeWrite();
      yield formatAnthropicSse(event);
    }
  } catch (error) {
    beforeWrite();
    yield formatAnthropicSse(anthropicErrorFrom(error).body);
  }
}

/** Anthropic-compatible `/v1/messages`, served by any deployment (the request is translated). */
export async function anthropicEndpoints(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error, _request, reply) => {
    const { status, body, headers } = anthropicErrorFrom(error);
    return reply.status(status).headers(headers).send(body);
  });
  const { chat } = app.gateway;

  const preHandler = gatewayPreHandler(app, 'anthropic');
  app.post('/v1/messages', { preHandler }, async (request, reply) => {
    const parsed = parseAnthropicMessagesRequest(request.body);
    if (!parsed.success) throw parsed.error;
    const canonical = convertAnthropicMessagesRequest(parsed.data);
    const context = {
      ...chatContextOf(request, clientSignal(request, reply)),
      callName: 'messages',
    };
    if (parsed.data.stream) {
      const answer = await chat.stream(canonical, context);
      setCallHeaders(reply, answer.info);
      reply.header('cache-control', 'no-cache').type('text/event-stream; charset=utf-8');
      return reply.send(
        Readable.from(
          anthropicServerSentEvents(
            answer.chunks,
            { model: parsed.data.model, reported: answer.reported },
            writeCoalescer(reply),
          ),
        ),
      );
    }
    const answer = await chat.complete(canonical, context);
    setCallHeaders(reply, answer.info, answer.unpriced ? undefined : answer.costNanos);
    return convertToAnthropicMessagesResponse(answer.response);
  });

  // Counting is no model call: it is neither rate limited nor recorded.
  const requireGatewayScope = app.requireScope('gateway');
  app.post('/v1/messages/count_tokens', { preHandler: requireGatewayScope }, async (request) => {
    const parsed = parseAnthropicCountTokensRequest(request.body);
    if (!parsed.success) throw parsed.error;
    const { tenant, knownRoute } = chatContextOf(request, new AbortController().signal);
    await chat.resolve(tenant, parsed.data.model, knownRoute);
    return { input_tokens: countAnthropicInputTokens(parsed.data, await loadTokenCounter()) };
  });
}
