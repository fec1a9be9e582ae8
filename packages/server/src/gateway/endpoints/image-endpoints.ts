import { parseImageRequest } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import { generateImages } from '../call/image-call';
import { chatContextOf, clientSignal, setCallHeaders } from './gateway-context';
import { callTraceOf, markRecordedByGateway } from '../../http/call-trace';

/**
 * OpenAI-compatible `/v1/images/generations`, served by any deployment with
 * image models (OpenAI, Gemini/Imagen, simulated). Registered inside the
 * OpenAI endpoints, so errors have OpenAI's wire format. Not the chat
 * pre-handler: an image request's `prompt` is its text, not a stored prompt.
 */
export function imageEndpoints(app: FastifyInstance): void {
  app.post(
    '/v1/images/generations',
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
      const parsed = parseImageRequest(request.body);
      if (!parsed.success) throw parsed.error;
      const context = chatContextOf(request, clientSignal(request, reply));
      const services = {
        chat: app.gateway.chat,
        router: app.gateway.router,
        recorder: {
          observers: app.promptCalls,
          batch: app.callRecords,
          logger: request.log,
          twins: app.gateway.twins,
        },
      };
      const answer = await generateImages(services, parsed.data, context);
      setCallHeaders(reply, answer.info, answer.unpriced ? undefined : answer.costNanos);
      return answer.response;
    },
  );
}
