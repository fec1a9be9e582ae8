import { parseImageRequest } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import { generateImages } from '../call/image-call';
import { chatContextOf, clientSignal, setCallHeaders } from './gateway-context';

/**
 * OpenAI-compatible `/v1/images/generations`, served by any deployment with
 * image models (OpenAI, Gemini/Imagen, simulated). Registered inside the
 * OpenAI endpoints, so errors have OpenAI's wire format. Not the chat
 * pre-handler: an image request's `prompt` is its text, not a stored prompt.
 */
export function imageEndpoints(app: FastifyInstance): void {
  app.post(
    '/v1/images/generations',
    { preHandler: [app.requireScope('gateway'), app.governance.admitGatewayCall] },
    async (request, reply) => {
      const parsed = parseImageRequest(request.body);
      if (!parsed.success) throw parsed.error;
      const context = chatContextOf(request, clientSignal(request, reply));
      const services = {
        chat: app.gateway.chat,
        router: app.gateway.router,
        writer: app.eventWriter,
        logger: request.log,
      };
      const answer = await generateImages(services, parsed.data, context);
      setCallHeaders(reply, answer.info, answer.unpriced ? undefined : answer.costNanos);
      return answer.response;
    },
  );
}
