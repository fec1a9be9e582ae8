import { Readable } from 'node:stream';
import { InvalidRequestError, type OpenAIChatRequest } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { CallTenant } from '../call/prompt-call-record';
import type { StoredResponses } from '../call/stored-responses';
import { openAIErrorFrom } from '../formats/openai-error';
import {
  convertResponsesRequest,
  messagesOfItems,
  parseResponsesRequest,
  referencedItemIds,
  type ResponsesRequest,
} from '../formats/openai-responses-request';
import {
  convertToResponsesObject,
  type ResponsesObject,
} from '../formats/openai-responses-response';
import {
  formatResponsesSse,
  toResponsesStreamEvents,
  type ResponsesStreamEvent,
} from '../formats/openai-responses-stream';
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
  events: AsyncIterable<ResponsesStreamEvent>,
  beforeWrite: () => void,
): AsyncGenerator<string> {
  let sequence = 0;
  try {
    for await (const event of events) {
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

/** Keeps an answered response for later references; never fails or delays the call. */
class ResponseKeeper {
  constructor(
    private readonly stored: StoredResponses,
    private readonly app: FastifyInstance,
    private readonly tenant: CallTenant,
    private readonly request: ResponsesRequest,
    private readonly canonical: OpenAIChatRequest,
  ) {}

  keep(response: ResponsesObject): void {
    if (this.request.store === false || !this.tenant.contentStorage) return;
    const input = this.request.instructions
      ? this.canonical.messages.slice(1)
      : this.canonical.messages;
    const conversation = [...input, ...messagesOfItems(response.output)];
    this.stored
      .save(this.tenant.orgId, response, conversation, this.tenant.contentKey)
      .catch((error: unknown) =>
        this.app.log.warn({ err: error }, 'could not keep a /v1/responses answer'),
      );
  }

  async *keepAtEnd(
    events: AsyncIterable<ResponsesStreamEvent>,
  ): AsyncGenerator<ResponsesStreamEvent> {
    for await (const event of events) {
      if (event.type === 'response.completed' || event.type === 'response.incomplete')
        this.keep(event.response as ResponsesObject);
      yield event;
    }
  }
}

/** The stored conversation and items the request refers to; a clear 400 when one is gone. */
async function referencesOf(
  stored: StoredResponses,
  tenant: CallTenant,
  request: ResponsesRequest,
) {
  const { orgId, contentKey } = tenant;
  const items = new Map<string, Record<string, unknown>>();
  await Promise.all(
    referencedItemIds(request).map(async (id) => {
      const item = await stored.item(orgId, id, contentKey);
      if (item) items.set(id, item);
    }),
  );
  if (!request.previous_response_id) return { items };
  const previous = await stored.conversation(orgId, request.previous_response_id, contentKey);
  if (!previous) {
    throw new InvalidRequestError(
      `Previous response with id '${request.previous_response_id}' not found: the gateway keeps responses for an hour, unless the request said store: false`,
      { param: 'previous_response_id', code: 'previous_response_not_found' },
    );
  }
  return { items, previous };
}

/**
 * OpenAI's Responses API, `POST /v1/responses`, served by any deployment (the
 * request is translated to a chat call): text, function tools, structured
 * output, streaming, and references to earlier answers. Registered inside the
 * OpenAI endpoints (their error handler answers in OpenAI's shape).
 */
export async function openAIResponsesEndpoint(
  app: FastifyInstance,
  stored: StoredResponses,
): Promise<void> {
  const { chat } = app.gateway;
  app.post(
    '/v1/responses',
    { preHandler: gatewayPreHandler(app, 'openai') },
    async (request, reply) => {
      const parsed = parseResponsesRequest(request.body);
      if (!parsed.success) throw parsed.error;
      const context = {
        ...chatContextOf(request, clientSignal(request, reply)),
        callName: 'responses',
      };
      const references = await referencesOf(stored, context.tenant, parsed.data);
      const canonical = convertResponsesRequest(parsed.data, references);
      const keeper = new ResponseKeeper(stored, app, context.tenant, parsed.data, canonical);
      if (parsed.data.stream) {
        const answer = await chat.stream(canonical, context);
        setCallHeaders(reply, answer.info);
        reply.header('cache-control', 'no-cache').type('text/event-stream; charset=utf-8');
        const events = keeper.keepAtEnd(toResponsesStreamEvents(answer.chunks, parsed.data));
        return reply.send(Readable.from(responsesServerSentEvents(events, writeCoalescer(reply))));
      }
      const answer = await chat.complete(canonical, context);
      setCallHeaders(reply, answer.info, answer.costNanos);
      const response = convertToResponsesObject(answer.response, parsed.data);
      keeper.keep(response);
      return response;
    },
  );
}
