/**
 * A cached answer replays what the provider answered, streamed or not:
 * tool calls, refusals, reasoning text, finish reason and usage, in every
 * endpoint format, with the official clients reading it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anthropicDeployment,
  openAIDeployment,
  startGatewayServer,
  type GatewayServer,
} from '../../helpers/gateway-server';
import { newRequestId, promptCallOf } from '../gateway-call-records';
import { startAnthropicUpstream } from '../../helpers/upstreams/anthropic-upstream';
import { startOpenAIUpstream } from '../../helpers/upstreams/openai-upstream';
import type { ScriptedUpstream } from '../../helpers/upstreams/scripted-upstream';

let gateway: GatewayServer;
let gpt: ScriptedUpstream;
let claude: ScriptedUpstream;

const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

function cachedRoute(model: string, deployment: string): string {
  return [
    `  - model: ${model}`,
    '    cacheTtlSeconds: 60',
    '    deployments:',
    `      - ${deployment}`,
  ].join('\n');
}

beforeAll(async () => {
  [gpt, claude] = await Promise.all([startOpenAIUpstream(), startAnthropicUpstream()]);
  gateway = await startGatewayServer([
    cachedRoute('cached-gpt', openAIDeployment('gpt', gpt)),
    cachedRoute('cached-claude', anthropicDeployment('claude', claude)),
  ]);
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await Promise.all([gpt?.close(), claude?.close()]);
});

/** Reads an OpenAI stream with the official client's helper, which rebuilds the message. */
async function streamedCompletion(question: string, requestId: string) {
  const stream = gateway.openai.chat.completions.stream(
    {
      model: 'cached-gpt',
      messages: [{ role: 'user', content: question }],
      tools: [WEATHER_TOOL],
      tool_choice: 'required',
      stream_options: { include_usage: true },
    },
    { headers: { 'x-request-id': requestId } },
  );
  const completion = await stream.finalChatCompletion();
  return completion;
}

describe('a cached streamed tool call on /v1/chat/completions', () => {
  it('replays the tool call, its finish reason and usage, streamed and not', async () => {
    gpt.script('tool-stream');
    const before = gpt.requests.length;
    const firstId = newRequestId('replay-first');
    const first = await streamedCompletion('Weather in Paris?', firstId);
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function.name).toBe('get_weather');
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({
      city: 'Paris',
    });

    const againId = newRequestId('replay-again');
    const again = await streamedCompletion('Weather in Paris?', againId);
    expect(gpt.requests.length).toBe(before + 1);
    expect(again.choices[0]!.finish_reason).toBe('tool_calls');
    expect(again.choices[0]!.message.tool_calls).toEqual(first.choices[0]!.message.tool_calls);
    expect(again.usage).toEqual(first.usage);

    const { data, response } = await gateway.openai.chat.completions
      .create({
        model: 'cached-gpt',
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        tools: [WEATHER_TOOL],
        tool_choice: 'required',
      })
      .withResponse();
    expect(response.headers.get('x-tollgate-cache')).toBe('hit');
    expect(data.choices[0]!.finish_reason).toBe('tool_calls');
    expect(data.choices[0]!.message.content).toBeNull();
    expect(data.choices[0]!.message.tool_calls).toEqual(first.choices[0]!.message.tool_calls);
    expect(data.usage!.prompt_tokens).toBe(61);

    const stored = await promptCallOf(gateway.reader, againId);
    expect(stored.status).toBe('cached');
    expect(stored.cost_nanos).toBe(0);
    expect(stored.input_tokens).toBe(61);
    expect(JSON.parse(stored.output).tool_calls[0].function.name).toBe('get_weather');
    const original = await promptCallOf(gateway.reader, firstId);
    expect(original.status).toBe('success');
    expect(original.cost_nanos).toBeGreaterThan(0);
    expect(JSON.parse(original.output).tool_calls[0].id).toBe(call.id);
  });

  it('replays a streamed refusal and reasoning text as the provider sent them', async () => {
    const chunk = (delta: object, finish: string | null = null) =>
      `data: ${JSON.stringify({
        id: 'chatcmpl-refusal',
        object: 'chat.completion.chunk',
        created: 1763900000,
        model: 'gpt-4o-mini',
        choices: [{ index: 0, delta, finish_reason: finish }],
      })}\n\n`;
    gpt.reply({
      type: 'sse',
      events: [
        chunk({ role: 'assistant', reasoning_content: 'The user asks for ' }),
        chunk({ reasoning_content: 'something unsafe.' }),
        chunk({ refusal: "I'm sorry, " }),
        chunk({ refusal: 'I cannot help with that.' }),
        chunk({}, 'stop'),
        `data: ${JSON.stringify({
          id: 'chatcmpl-refusal',
          object: 'chat.completion.chunk',
          created: 1763900000,
          model: 'gpt-4o-mini',
          choices: [],
          usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
        })}\n\n`,
        'data: [DONE]\n\n',
      ],
    });
    const ask = () =>
      gateway.openai.chat.completions
        .stream({
          model: 'cached-gpt',
          messages: [{ role: 'user', content: 'Do harm' }],
          stream_options: { include_usage: true },
        })
        .finalChatCompletion();
    const first = await ask();
    const again = await ask();
    expect(first.choices[0]!.message.refusal).toBe("I'm sorry, I cannot help with that.");
    expect(again.choices[0]!.message.refusal).toBe(first.choices[0]!.message.refusal);
    expect((again.choices[0]!.message as { reasoning_content?: string }).reasoning_content).toBe(
      'The user asks for something unsafe.',
    );
    expect(again.choices[0]!.finish_reason).toBe('stop');
    expect(again.usage).toEqual({ prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 });
  });
});

describe('a cached streamed tool call on /v1/responses', () => {
  it('replays the function call, streamed and not', async () => {
    gpt.script('tool-stream');
    const before = gpt.requests.length;
    const ask = (stream: boolean) => {
      const body = {
        model: 'cached-gpt',
        input: 'Weather in Lyon?',
        tools: [
          {
            type: 'function' as const,
            name: 'get_weather',
            parameters: WEATHER_TOOL.function.parameters,
            strict: false,
          },
        ],
        tool_choice: 'required' as const,
      };
      return stream
        ? gateway.openai.responses.stream(body).finalResponse()
        : gateway.openai.responses.create(body);
    };
    const first = await ask(true);
    const again = await ask(true);
    const whole = await ask(false);
    expect(gpt.requests.length).toBe(before + 1);
    const callOf = (response: typeof first) => {
      const call = response.output.find((item) => item.type === 'function_call');
      return call?.type === 'function_call'
        ? { call_id: call.call_id, name: call.name, arguments: call.arguments }
        : undefined;
    };
    expect(callOf(first)).toEqual({
      call_id: 'call_Qx8mB2vN5kLp3rT7yW1zA4cD',
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
    });
    expect(callOf(again)).toEqual(callOf(first));
    expect(callOf(whole)).toEqual(callOf(first));
    expect(again.usage).toEqual(first.usage);
    expect(whole.usage).toEqual(first.usage);
  });
});

describe('a cached streamed tool call on /v1/messages', () => {
  it('replays the text and the tool_use block, streamed and not', async () => {
    claude.script('tool-stream');
    const before = claude.requests.length;
    const ask = (requestId: string) =>
      gateway.anthropic.messages
        .stream(
          {
            model: 'cached-claude',
            max_tokens: 256,
            messages: [{ role: 'user', content: 'Weather in Paris?' }],
            tools: [
              {
                name: 'get_weather',
                input_schema: { type: 'object', properties: { city: { type: 'string' } } },
              },
            ],
          },
          { headers: { 'x-request-id': requestId } },
        )
        .finalMessage();
    const first = await ask(newRequestId('claude-first'));
    const againId = newRequestId('claude-again');
    const again = await ask(againId);
    expect(claude.requests.length).toBe(before + 1);
    expect(first.stop_reason).toBe('tool_use');
    expect(again.stop_reason).toBe('tool_use');
    expect(again.content).toEqual(first.content);
    expect(again.content[1]).toMatchObject({
      type: 'tool_use',
      id: 'toolu_01A09q90qw90lq917835lq9',
      name: 'get_weather',
      input: { city: 'Paris' },
    });
    expect(again.usage.input_tokens).toBe(first.usage.input_tokens);
    expect(again.usage.output_tokens).toBe(58);

    const whole = await gateway.anthropic.messages.create({
      model: 'cached-claude',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [
        {
          name: 'get_weather',
          input_schema: { type: 'object', properties: { city: { type: 'string' } } },
        },
      ],
    });
    expect(whole.content).toEqual(first.content);
    expect(whole.stop_reason).toBe('tool_use');

    const stored = await promptCallOf(gateway.reader, againId);
    expect(stored.status).toBe('cached');
    expect(stored.output_tokens).toBe(58);
  });
});
