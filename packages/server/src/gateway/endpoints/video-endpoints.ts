import { Readable } from 'node:stream';
import { InvalidRequestError, parseVideoRequest } from '@tollgate/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../../http/errors';
import { callTraceOf, markRecordedByGateway } from '../../http/call-trace';
import { toOpenAIVideo } from '../call/video-call';
import { chatContextOf, clientSignal, setCallHeaders } from './gateway-context';

const videoId = z.string().regex(/^video_[0-9a-f]{32}$/);

/**
 * OpenAI's Videos API: `POST /v1/videos` starts a job (OpenAI's Sora,
 * Gemini's Veo, simulated) that the gateway then follows until it ends, `GET
 * /v1/videos/{id}` tells its state as last polled, and `GET
 * /v1/videos/{id}/content` streams the finished MP4. Registered inside the
 * OpenAI endpoints, so errors have OpenAI's wire format. The job is recorded
 * once, as a `video` prompt call, when it ends.
 */
export function videoEndpoints(app: FastifyInstance): void {
  // OpenAI's client sends `POST /v1/videos` as multipart/form-data; its text fields are the body.
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: 1024 * 1024 },
    async (request: FastifyRequest, body: Buffer) => formFields(request, body),
  );
  const requireGateway = app.requireScope('gateway');
  const scopeOf = (request: FastifyRequest) => {
    const caller = request.caller!;
    if (!caller.projectId) {
      throw new ApiError(
        'forbidden',
        'the gateway needs a project key: videos belong to a project',
      );
    }
    return { orgId: caller.orgId, projectId: caller.projectId };
  };
  const idOf = (request: FastifyRequest) => {
    const { id } = request.params as { id: string };
    if (!videoId.safeParse(id).success) {
      throw new ApiError('not_found', `no video '${id.slice(0, 100)}' in this project`);
    }
    return id;
  };

  app.post(
    '/v1/videos',
    {
      preHandler: [
        requireGateway,
        // The trace headers first: a bad one is refused before budgets and rate limits count the call.
        async (request) => void callTraceOf(request),
        app.governance.admitGatewayCall,
        async (request, reply) => markRecordedByGateway(request, reply),
      ],
    },
    async (request, reply) => {
      const parsed = parseVideoRequest(request.body);
      if (!parsed.success) throw parsed.error;
      const context = chatContextOf(request, clientSignal(request, reply));
      const answer = await app.gateway.videos.start(parsed.data, context);
      // The cost is known once the job ends: it is recorded then, not told now.
      setCallHeaders(reply, answer.info);
      return answer.video;
    },
  );

  app.get('/v1/videos/:id', { preHandler: requireGateway }, async (request) => {
    const job = await app.gateway.videos.get(scopeOf(request), idOf(request));
    return toOpenAIVideo(job);
  });

  app.get('/v1/videos/:id/content', { preHandler: requireGateway }, async (request, reply) => {
    const { job, content } = await app.gateway.videos.content(
      scopeOf(request),
      idOf(request),
      clientSignal(request, reply),
    );
    reply.type(content.contentType);
    if (content.length !== undefined) reply.header('content-length', String(content.length));
    if (job.simulated) reply.header('x-tollgate-simulated', 'true');
    return reply.send(Readable.from(content.body));
  });
}

/** A multipart body's fields; a file (a reference image) is refused: Tollgate does not forward it. */
async function formFields(request: FastifyRequest, body: Buffer): Promise<Record<string, string>> {
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body), {
      headers: { 'content-type': String(request.headers['content-type']) },
    }).formData();
  } catch {
    throw new InvalidRequestError('Invalid request body: the multipart form cannot be read');
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of form as unknown as Iterable<[string, FormDataEntryValue]>) {
    if (typeof value !== 'string') {
      throw new InvalidRequestError(
        `Invalid value for '${name}': files are not supported through the gateway (no reference images yet)`,
        { param: name, code: 'unsupported_parameter' },
      );
    }
    fields[name] = value;
  }
  return fields;
}
