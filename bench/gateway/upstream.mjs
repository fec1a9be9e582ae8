// A minimal loopback upstream speaking OpenAI's chat completions, for the gateway benchmark.
// Plain node:http, bodies precomputed: it should cost as little CPU per request as possible.
// Non-streaming: one JSON completion. Streaming (request body has "stream":true): a few SSE
// chunks (role, three content deltas, finish, usage) then [DONE], each chunk its own write.
// Usage: node upstream.mjs <port>; prints "upstream listening on <port>" when ready.
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 0);
const created = 1_700_000_000;
const id = 'chatcmpl-bench0000000000000000000000';
const model = 'gpt-4o-mini-2024-07-18';

const completion = Buffer.from(
  JSON.stringify({
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: 'Hello! I am doing well, thank you for asking. How can I help you today?',
          refusal: null,
          annotations: [],
        },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: {
      prompt_tokens: 13,
      completion_tokens: 18,
      total_tokens: 31,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_bench',
  }),
);

const chunk = (choices, usage = null) =>
  `data: ${JSON.stringify({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    service_tier: 'default',
    system_fingerprint: 'fp_bench',
    choices,
    usage,
  })}\n\n`;
const delta = (d, finish = null) => [{ index: 0, delta: d, logprobs: null, finish_reason: finish }];

const streamChunks = [
  chunk(delta({ role: 'assistant', content: '', refusal: null })),
  chunk(delta({ content: 'Hello! I am doing well, ' })),
  chunk(delta({ content: 'thank you for asking. ' })),
  chunk(delta({ content: 'How can I help you today?' })),
  chunk(delta({}, 'stop')),
  chunk([], {
    prompt_tokens: 13,
    completion_tokens: 18,
    total_tokens: 31,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  }),
  'data: [DONE]\n\n',
].map((text) => Buffer.from(text));

const jsonHeaders = {
  'content-type': 'application/json',
  'content-length': String(completion.length),
};
const sseHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};
const STREAM_TRUE = /"stream"\s*:\s*true/;

const server = createServer((request, response) => {
  if (request.method !== 'POST' || !request.url.endsWith('/chat/completions')) {
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end('{"error":{"message":"not found","type":"invalid_request_error"}}');
    return;
  }
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (part) => (body += part));
  request.on('end', () => {
    if (STREAM_TRUE.test(body)) {
      response.writeHead(200, sseHeaders);
      for (const part of streamChunks) response.write(part);
      response.end();
    } else {
      response.writeHead(200, jsonHeaders);
      response.end(completion);
    }
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  console.log(`upstream listening on ${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
