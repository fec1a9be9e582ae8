import { Readable } from 'node:stream';
import type { OpenAIChatChunk } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import { openAIErrorFrom } from '../formats/openai-error';
import {
  convertResponsesRequest,
  parseResponsesRequest,
  type ResponsesRequest,
} from '../formats/openai-responses-request';
import { convertToResponsesObject } from '../formats/openai-responses-response';
import { formatResponsesSse, toResponsesStreamEvents } from '../formats/openai-responses-stream';
import {
  chatContextOf,
  clientSignal,
  gatewayPreHandler,
  setCallHeaders,
  writeCoalescer,
} from './gateway-context';

/**
 * SSE events of a Responses stream; a failure after the first byte ends it
 * with an `error` event, as OpenAI sends it.
 */
async function* responsesServerSentEvents(
  chunks: AsyncIterable<OpenAIChatChunk>,
  request: ResponsesRequest,
  beforeWrite: () => void,
): AsyncGenerator<string> {
  let sequence = 0;
  try {
    for await (const event of toResponsesStreamEvents(chunks, request)) {
      sequence = event.sequence_number + 1;
      beforeWrite();
      yield formatResponsesSse(event);
    }
  } catch (error) {
    const { error: body } = openAIErrorFrom(error).body;
    beforeWrite();
    yield formatResponsesSse({
      type: 'error',
      code: body.code ?? body.type,
      message: body.message,
      param: body.param,
      sequence_number: sequence,
    });
  }
}

/**
 * OpenAI's Responses API, `POST /v1/responses`, served by any deployment (the
 * request is translated to a chat call): text, function tools, structured
 * output and streaming. Registered inside the OpenAI endpoints (their error
 * handler answers in OpenAI's shape).
 */
export async function openAIResponsesEndpoint(app: FastifyInstance): Promise<void> {
  const { chat } = app.gateway;
  app.post(
    '/v1/responses',
    { preHandler: gatewayPreHandler(app, 'openai') },
    async (request, reply) => {
      const parsed = parseResponsesRequest(request.body);
      if (!parsed.success) throw parsed.error;
      const canonical = convertResponsesRequest(parsed.data);
      const context = {
        ...chatContextOf(request, clientSignal(request, reply)),
        callName: 'responses',
      };
      if (parsed.data.stream) {
        const answer = await chat.stream(canonical, context);
        setCallHeaders(reply, answer.info);
        reply.header('cache-control', 'no-cache').type('text/event-stream; charset=utf-8');
        return reply.send(
          Readable.from(
            responsesServerSentEvents(answer.chunks, parsed.data, writeCoalescer(reply)),
          ),
        );
      }
      const answer = await chat.complete(canonical, context);
      setCallHeaders(reply, answer.info, answer.costNanos);
      return convertToResponsesObject(answer.response, parsed.data);
    },
  );
}
