import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the loopback upstream answers, so tests can assert on the stored usage. */
export const UPSTREAM_ANSWER = {
  model: 'gpt-4o-mini-2024-07-18',
  text: 'Lisbon is sunny today.',
  promptTokens: 120,
  completionTokens: 30,
  cachedTokens: 40,
  reasoningTokens: 8,
  embeddingModel: 'text-embedding-3-small',
  embeddingTokens: 6,
  /** Asked for when the request offers tools and holds no tool result yet. */
  toolCall: { id: 'call_weather_1', name: 'get_weather', arguments: '{"city":"Lisbon"}' },
} as const;

export interface OpenAiFormatUpstream {
  /** Base URL ending in `/v1`, for the OpenAI client's `baseURL`. */
  baseUrl: string;
  /** The JSON bodies of the requests received, in order. */
  requests: Array<{ path: string; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * An OpenAI-format model server on a random loopback port: chat completions
 * (plain JSON or SSE when `stream` is set; a tool call first when the
 * request offers tools) and embeddings, with usage that names cached and
 * reasoning tokens, as OpenAI reports them.
 */
export async function startOpenAiFormatUpstream(): Promise<OpenAiFormatUpstream> {
  const requests: OpenAiFormatUpstream['requests'] = [];
  const server: Server = createServer((request, response) => {
    void readJson(request).then((body) => {
      const path = request.url ?? '';
      requests.push({ path, body });
      if (path.endsWith('/embeddings')) {
        const inputs = Array.isArray(body.input) ? body.input : [body.input];
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify({
            object: 'list',
            model: UPSTREAM_ANSWER.embeddingModel,
            data: inputs.map((_, index) => ({
              object: 'embedding',
              index,
              embedding: [0.1, 0.2, 0.3],
            })),
            usage: {
              prompt_tokens: UPSTREAM_ANSWER.embeddingTokens,
              total_tokens: UPSTREAM_ANSWER.embeddingTokens,
            },
          }),
        );
        return;
      }
      const usage = {
        prompt_tokens: UPSTREAM_ANSWER.promptTokens,
        completion_tokens: UPSTREAM_ANSWER.completionTokens,
        total_tokens: UPSTREAM_ANSWER.promptTokens + UPSTREAM_ANSWER.completionTokens,
        prompt_tokens_details: { cached_tokens: UPSTREAM_ANSWER.cachedTokens },
        completion_tokens_details: { reasoning_tokens: UPSTREAM_ANSWER.reasoningTokens },
      };
      const base = {
        id: 'chatcmpl-loopback',
        created: Math.floor(Date.now() / 1000),
        model: UPSTREAM_ANSWER.model,
        system_fingerprint: 'fp_loopback',
      };
      const messages = Array.isArray(body.messages)
        ? (body.messages as Array<{ role?: string }>)
        : [];
      const wantsTool =
        Array.isArray(body.tools) && !messages.some((message) => message.role === 'tool');
      if (wantsTool) {
        const { id, name, arguments: args } = UPSTREAM_ANSWER.toolCall;
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify({
            ...base,
            object: 'chat.completion',
            choices: [
              {
                index: 0,
                message: {
                  role: 'assistant',
                  content: null,
                  tool_calls: [{ id, type: 'function', function: { name, arguments: args } }],
                },
                finish_reason: 'tool_calls',
              },
            ],
            usage,
          }),
        );
        return;
      }
      if (body.stream === true) {
        response.setHeader('content-type', 'text/event-stream');
        const chunks = [
          {
            ...base,
            object: 'chat.completion.chunk',
            choices: [{ index: 0, delta: { role: 'assistant', content: UPSTREAM_ANSWER.text } }],
          },
          {
            ...base,
            object: 'chat.completion.chunk',
            choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
          },
          { ...base, object: 'chat.completion.chunk', choices: [], usage },
        ];
        for (const chunk of chunks) response.write(`data: ${JSON.stringify(chunk)}\n\n`);
        response.end('data: [DONE]\n\n');
        return;
      }
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: UPSTREAM_ANSWER.text },
              finish_reason: 'stop',
            },
          ],
          usage,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
