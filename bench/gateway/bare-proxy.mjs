// Reference floor for the gateway benchmark (target "bare"): the least a Fastify + undici
// gateway can do per call. It parses the JSON body, forwards it to the upstream over a
// keep-alive undici pool and sends the answer back (bytes as they come, streams piped), with no
// auth, validation, routing, failover or recording. Usage: node bare-proxy.mjs <port> <upstream base URL>
import Fastify from 'fastify';
import { Agent, request } from 'undici';

const [port, upstreamBase] = [Number(process.argv[2] ?? 0), process.argv[3]];
const dispatcher = new Agent({ keepAliveTimeout: 60_000 });
const app = Fastify({ logger: false });

app.post('/v1/chat/completions', async (req, reply) => {
  const response = await request(`${upstreamBase}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
    body: JSON.stringify(req.body),
    dispatcher,
  });
  reply.status(response.statusCode).type(String(response.headers['content-type']));
  if (req.body?.stream) return reply.send(response.body);
  return reply.send(Buffer.from(await response.body.arrayBuffer()));
});

const address = await app.listen({ port, host: '127.0.0.1' });
console.log(`bare proxy listening at ${address}`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
