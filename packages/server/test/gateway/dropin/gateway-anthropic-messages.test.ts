/**
 * The Anthropic client against the gateway: `/v1/messages` recorded under its
 * own name with Anthropic-style `toolu_` ids when another provider serves it,
 * and `/v1/messages/count_tokens` in Anthropic's shape, errors included.
 */
import Anthropic from '@anthropic-ai/sdk';
import { calculateCost } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openAIDeployment,
  route,
  startGatewayServer,
  type GatewayServer,
} from '../../helpers/gateway-server';
import { newRequestId, promptCallOf } from '../gateway-call-records';
import { startOpenAIUpstream } from '../../helpers/upstreams/openai-upstream';
import type { ScriptedUpstream } from '../../helpers/upstreams/scripted-upstream';

let gateway: GatewayServer;
let gpt: ScriptedUpstream;

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: {
    type: 'object' as const,
    properties: { city: { type: 'string' } },
    required: ['city'],
  },
};

beforeAll(async () => {
  gpt = await startOpenAIUpstream();
  gateway = await startGatewayServer([route('gpt', openAIDeployment('gpt', gpt))]);
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await gpt?.close();
});

describe('/v1/messages served by an OpenAI deployment', () => {
  it('answers a tool call with a toolu_ id and records it as messages', async () => {
    gpt.script('tool');
    const requestId = newRequestId('messages-tool');
    const message = await gateway.anthropic.messages.create(
      {
        model: 'gpt',
        max_tokens: 200,
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        tools: [WEATHER_TOOL],
      },
      { headers: { 'x-request-id': requestId } },
    );
    expect(message.stop_reason).toBe('tool_use');
    const toolUse = message.content.find((block) => block.type === 'tool_use')!;
    expect(toolUse.type === 'tool_use' && toolUse.id).toMatch(/^toolu_/);
    expect(toolUse.type === 'tool_use' && toolUse.input).toEqual({ city: 'Paris' });

    const stored = await promptCallOf(gateway.reader, requestId);
    expect((stored as unknown as { name: string }).name).toBe('messages');
    expect(stored.model).toBe('gpt-4o-mini');
    expect(stored.input_tokens).toBe(message.usage.input_tokens);
    expect(stored.output_tokens).toBe(message.usage.output_tokens);
    expect(stored.cost_nanos).toBe(
      calculateCost('gpt-4o-mini', {
        inputTokens: message.usage.input_tokens,
        outputTokens: message.usage.output_tokens,
      }).costNanos,
    );
  });

  it('streams a tool call with a toolu_ id and records it as messages', async () => {
    gpt.script('tool-stream');
    const requestId = newRequestId('messages-tool-stream');
    const message = await gateway.anthropic.messages
      .stream(
        {
          model: 'gpt',
          max_tokens: 200,
          messages: [{ role: 'user', content: 'Weather in Paris?' }],
          tools: [WEATHER_TOOL],
        },
        { headers: { 'x-request-id': requestId } },
      )
      .finalMessage();
    const toolUse = message.content.find((block) => block.type === 'tool_use')!;
    expect(toolUse.type === 'tool_use' && toolUse.id).toBe('toolu_Qx8mB2vN5kLp3rT7yW1zA4cD');
    expect(toolUse.type === 'tool_use' && toolUse.input).toEqual({ city: 'Paris' });
    const stored = await promptCallOf(gateway.reader, requestId);
    expect((stored as unknown as { name: string }).name).toBe('messages');
    expect(stored.input_tokens).toBe(61);
    expect(stored.output_tokens).toBe(15);
  });
});

describe('/v1/messages/count_tokens', () => {
  it("counts a request's input tokens with the Anthropic client", async () => {
    const short = await gateway.anthropic.messages.countTokens({
      model: 'gpt',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    const long = await gateway.anthropic.messages.countTokens({
      model: 'gpt',
      system: 'You are a meteorologist.',
      messages: [{ role: 'user', content: 'What is the weather like in Paris today, please?' }],
      tools: [WEATHER_TOOL],
    });
    expect(short.input_tokens).toBeGreaterThan(0);
    expect(long.input_tokens).toBeGreaterThan(short.input_tokens + 10);
    expect(Object.keys(long)).toEqual(['input_tokens']);
    // Counting calls no model: nothing went upstream.
    expect(gpt.requests.every((request) => !request.url.includes('count_tokens'))).toBe(true);
  });

  it('counts simulated models too', async () => {
    const counted = await gateway.anthropic.messages.countTokens({
      model: 'simulated/claude-like',
      messages: [{ role: 'user', content: 'Hello there' }],
    });
    expect(counted.input_tokens).toBeGreaterThan(0);
  });

  it("refuses an unknown model and a bad body in Anthropic's error shape", async () => {
    const unknown = await gateway.anthropic.messages
      .countTokens({ model: 'no-such-model', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError);
    expect((unknown as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({
      type: 'error',
      error: { type: 'not_found_error' },
    });

    const response = await fetch(`${gateway.server.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: {
        'x-api-key': gateway.server.tenant.projectKey,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ model: 'gpt' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining('messages') },
    });
  });
});
