/**
 * `POST /v1/images/generations` through the real server with the official
 * OpenAI client: served by OpenAI (gpt-image-1, dall-e-3), Gemini (Imagen's
 * `:predict`, a Gemini image model's `generateContent`) and the simulated
 * provider; each call recorded once as an `image` prompt call with its image
 * count, size and quality.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anthropicDeployment,
  providerDeployment,
  route,
  startGatewayServer,
  type GatewayServer,
} from '../helpers/gateway-server';
import { startAnthropicUpstream } from '../helpers/upstreams/anthropic-upstream';
import { jsonFixture } from '../helpers/upstreams/fixtures';
import { startGeminiUpstream } from '../helpers/upstreams/gemini-upstream';
import { startOpenAIUpstream } from '../helpers/upstreams/openai-upstream';
import type { ScriptedUpstream } from '../helpers/upstreams/scripted-upstream';
import { newRequestId, promptCallOf, type PromptCallEvent } from './gateway-call-records';

const PROMPT = 'A watercolour of a small boat on a lake at dawn';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let gateway: GatewayServer;
let gpt: ScriptedUpstream;
let gemini: ScriptedUpstream;
let claude: ScriptedUpstream;

beforeAll(async () => {
  [gpt, gemini, claude] = await Promise.all([
    startOpenAIUpstream('openai'),
    startGeminiUpstream(),
    startAnthropicUpstream(),
  ]);
  gateway = await startGatewayServer([
    route('gpt-image-1', providerDeployment('gpt-image', 'openai', 'gpt-image-1', gpt)),
    route('dall-e-3', providerDeployment('dalle', 'openai', 'dall-e-3', gpt)),
    route('imagen-4', providerDeployment('imagen', 'gemini', 'imagen-4.0-generate-001', gemini)),
    route('gemini-image', providerDeployment('nano', 'gemini', 'gemini-2.5-flash-image', gemini)),
    route('claude-images', anthropicDeployment('claude-images', claude)),
  ]);
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await Promise.all([gpt, gemini, claude].map((upstream) => upstream?.close()));
});

const headers = (requestId: string) => ({ headers: { 'x-request-id': requestId } });

type ImageEvent = PromptCallEvent & { name: string; image_size: string; image_quality: string };

async function recorded(requestId: string): Promise<ImageEvent> {
  return (await promptCallOf(gateway.reader, requestId)) as ImageEvent;
}

describe('image generation', () => {
  it('serves gpt-image-1 and records its images, size, quality and tokens', async () => {
    gpt.reply({ type: 'json', body: jsonFixture('openai', 'images-gpt-image-1') });
    const requestId = newRequestId('gpt-image');
    const images = await gateway.openai.images.generate(
      { model: 'gpt-image-1', prompt: PROMPT, size: '1024x1024', quality: 'medium' },
      headers(requestId),
    );
    expect(Buffer.from(images.data![0]!.b64_json!, 'base64').subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(gpt.lastRequest().url).toBe('/v1/images/generations');
    expect(gpt.lastRequest().json).toMatchObject({ model: 'gpt-image-1', prompt: PROMPT });
    const event = await recorded(requestId);
    expect(event).toMatchObject({
      name: 'images.generations',
      operation: 'image',
      status: 'success',
      provider: 'openai',
      model: 'gpt-image-1',
      image_count: 1,
      input_tokens: 14,
      output_tokens: 1056,
      image_size: '1024x1024',
      image_quality: 'medium',
    });
    // The image bytes are never stored; their size is.
    expect(event.output).not.toContain(images.data![0]!.b64_json!);
  });

  it('serves dall-e-3 by URL, priced per image by size and quality', async () => {
    gpt.reply({ type: 'json', body: jsonFixture('openai', 'images-dall-e-3') });
    const requestId = newRequestId('dalle');
    const { data: images, response } = await gateway.openai.images
      .generate(
        { model: 'dall-e-3', prompt: PROMPT, size: '1792x1024', quality: 'hd' },
        headers(requestId),
      )
      .withResponse();
    // hd 1792x1024: $0.12 an image on OpenAI's list.
    expect(response.headers.get('x-tollgate-cost-usd')).toBe('0.120000000');
    expect(images.data![0]!.url).toMatch(/^https:\/\//);
    const event = await recorded(requestId);
    expect(event).toMatchObject({
      operation: 'image',
      image_count: 1,
      image_size: '1792x1024',
      image_quality: 'hd',
    });
    expect(event).toMatchObject({ cost_unpriced: false, cost_nanos: 120_000_000 });
  });

  it("serves Imagen through `:predict`, n images at the size's aspect ratio", async () => {
    gemini.reply({ type: 'json', body: jsonFixture('gemini', 'imagen-predict') });
    const requestId = newRequestId('imagen');
    const images = await gateway.openai.images.generate(
      { model: 'imagen-4', prompt: PROMPT, n: 2, size: '1792x1024' },
      headers(requestId),
    );
    expect(images.data).toHaveLength(2);
    expect(gemini.lastRequest().url).toBe('/models/imagen-4.0-generate-001:predict');
    expect(gemini.lastRequest().json).toEqual({
      instances: [{ prompt: PROMPT }],
      parameters: { sampleCount: 2, aspectRatio: '16:9' },
    });
    expect(await recorded(requestId)).toMatchObject({
      provider: 'gemini',
      operation: 'image',
      image_count: 2,
    });
  });

  it("serves a Gemini image model's inline image, with its tokens", async () => {
    gemini.reply({ type: 'json', body: jsonFixture('gemini', 'generate-image') });
    const requestId = newRequestId('gemini-image');
    const images = await gateway.openai.images.generate(
      { model: 'gemini-image', prompt: PROMPT, size: '1024x1024' },
      headers(requestId),
    );
    expect(images.data).toHaveLength(1);
    expect(images.data![0]!.revised_prompt).toContain('watercolour');
    expect(gemini.lastRequest().url).toBe('/models/gemini-2.5-flash-image:generateContent');
    expect(gemini.lastRequest().json).toEqual({
      contents: [{ role: 'user', parts: [{ text: PROMPT }] }],
      generationConfig: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '1:1' } },
    });
    expect(await recorded(requestId)).toMatchObject({
      image_count: 1,
      input_tokens: 12,
      output_tokens: 1290,
    });
  });

  it('serves deterministic small PNGs from the simulated provider, labelled simulated', async () => {
    const requestId = newRequestId('simulated-image');
    const { data: images, response } = await gateway.openai.images
      .generate({ model: 'simulated/dall-e-3', prompt: PROMPT, n: 2 }, headers(requestId))
      .withResponse();
    expect(response.headers.get('x-tollgate-simulated')).toBe('true');
    expect(images.data).toHaveLength(2);
    for (const image of images.data!) {
      expect(Buffer.from(image.b64_json!, 'base64').subarray(0, 8)).toEqual(PNG_SIGNATURE);
      expect(image.revised_prompt).toBe(`[simulated] ${PROMPT}`);
    }
    const again = await gateway.openai.images.generate({
      model: 'simulated/dall-e-3',
      prompt: PROMPT,
      n: 2,
    });
    expect(again.data).toEqual(images.data);
    expect(await recorded(requestId)).toMatchObject({
      provider: 'simulated',
      operation: 'image',
      image_count: 2,
      simulated: true,
    });
  });

  it('answers bad input and providers without images with a 400 in OpenAI’s format', async () => {
    const badCount = await gateway.openai.images
      .generate({ model: 'gpt-image-1', prompt: PROMPT, n: 0 })
      .catch((error: unknown) => error);
    expect(badCount).toBeInstanceOf(OpenAI.BadRequestError);
    expect((badCount as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('n');

    const unsupported = await gateway.openai.images
      .generate({ model: 'claude-images', prompt: PROMPT })
      .catch((error: unknown) => error);
    expect(unsupported).toBeInstanceOf(OpenAI.BadRequestError);
    expect((unsupported as Error).message).toContain('no image generation');
  });
});
