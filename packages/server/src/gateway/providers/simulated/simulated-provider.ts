import { UpstreamError } from '@tollgate/core';
import type { Deployment, GatewayProvider, OpenAIChatResponse } from '@tollgate/core';
import { loadTokenCounter } from '../../../tokens/token-counter';
import { errorOfAbort } from '../upstream-http';
import { SIMULATED_SYSTEM_FINGERPRINT, simulateCompletion } from './simulate-completion';
import type { SimulatedCompletion } from './simulate-completion';
import { simulateEmbeddings } from './simulated-embedding';
import { simulateImages } from './simulated-image';
import { simulatedFailure } from './simulated-error';
import { simulatedOptionsOf } from './simulated-options';
import { simulatedChunks } from './simulated-stream';
import { simulatedVideoContent, simulatedVideoState, startSimulatedVideo } from './simulated-video';

export interface SimulatedDependencies {
  now: () => number;
  /** Draws failures and jitter; inject a seeded one in tests. */
  random: () => number;
}

/**
 * The built-in provider with no network: deterministic answers, real token
 * counts, and the latency, pacing and failures its deployment options ask for
 * (see `simulatedOptionsSchema`). Every answer says it is simulated:
 * `system_fingerprint: 'tollgate-simulated'` and `simulated: true` on the result.
 */
export function createSimulatedProvider(dependencies: SimulatedDependencies): GatewayProvider {
  const waiter = (deployment: Deployment, signal: AbortSignal, phase: 'request' | 'stream') => {
    const { jitterMs } = simulatedOptionsOf(deployment);
    return (milliseconds: number) =>
      sleep(
        milliseconds + (jitterMs > 0 ? Math.floor(dependencies.random() * jitterMs) : 0),
        signal,
        phase,
      );
  };
  const created = () => Math.floor(dependencies.now() / 1000);

  return {
    name: 'simulated',

    async chat(request, { deployment, signal }) {
      const options = simulatedOptionsOf(deployment);
      const counter = await loadTokenCounter();
      await waiter(deployment, signal, 'request')(options.latencyMs);
      const failure = simulatedFailure(options, dependencies.random);
      if (failure) throw failure;
      const completion = simulateCompletion(request, deployment.model, counter, options);
      return { response: toResponse(completion, deployment.model, created()), simulated: true };
    },

    async streamChat(request, { deployment, signal }) {
      const options = simulatedOptionsOf(deployment);
      const counter = await loadTokenCounter();
      const failure = simulatedFailure(options, dependencies.random);
      if (failure) throw failure;
      const completion = simulateCompletion(request, deployment.model, counter, options);
      const chunks = simulatedChunks(completion, {
        model: deployment.model,
        created: created(),
        timeToFirstTokenMs: options.timeToFirstTokenMs ?? options.latencyMs,
        chunkIntervalMs: options.chunkIntervalMs,
        wait: waiter(deployment, signal, 'stream'),
      });
      return { chunks, simulated: true };
    },

    async embed(request, { deployment, signal }) {
      const options = simulatedOptionsOf(deployment);
      const counter = await loadTokenCounter();
      await waiter(deployment, signal, 'request')(options.latencyMs);
      const failure = simulatedFailure(options, dependencies.random);
      if (failure) throw failure;
      const dimensions = request.dimensions ?? options.embeddingDimensions;
      return simulateEmbeddings(request, deployment.model, dimensions, counter);
    },

    async generateImages(request, { deployment, signal }) {
      const options = simulatedOptionsOf(deployment);
      await waiter(deployment, signal, 'request')(options.latencyMs);
      const failure = simulatedFailure(options, dependencies.random);
      if (failure) throw failure;
      return { response: simulateImages(request, deployment.model, created()), simulated: true };
    },

    async createVideo(request, { deployment, signal }) {
      const options = simulatedOptionsOf(deployment);
      await waiter(deployment, signal, 'request')(options.latencyMs);
      const failure = simulatedFailure(options, dependencies.random);
      if (failure) throw failure;
      return startSimulatedVideo(request, dependencies.now());
    },

    async getVideo(upstreamId, { deployment }) {
      const state = simulatedVideoState(
        upstreamId,
        simulatedOptionsOf(deployment),
        dependencies.now(),
      );
      if (!state) throw simulatedNotFound(upstreamId);
      return state;
    },

    async downloadVideo(upstreamId, { deployment }) {
      const state = simulatedVideoState(
        upstreamId,
        simulatedOptionsOf(deployment),
        dependencies.now(),
      );
      if (state?.status !== 'completed') throw simulatedNotFound(upstreamId);
      return simulatedVideoContent(upstreamId);
    },
  };
}

function toResponse(
  completion: SimulatedCompletion,
  model: string,
  created: number,
): OpenAIChatResponse {
  return {
    id: completion.id,
    object: 'chat.completion',
    created,
    model,
    system_fingerprint: SIMULATED_SYSTEM_FINGERPRINT,
    choices: completion.choices.map((choice, index) => ({
      index,
      message: {
        role: 'assistant',
        content: choice.content,
        ...(choice.toolCalls ? { tool_calls: choice.toolCalls } : {}),
      },
      finish_reason: choice.finishReason,
    })),
    usage: completion.usage,
  };
}

/** What OpenAI answers for a video it does not have (or not finished): a 404, not retried. */
function simulatedNotFound(upstreamId: string): UpstreamError {
  return new UpstreamError({
    kind: 'http',
    provider: 'simulated',
    status: 404,
    isRetryable: false,
    message: `no finished simulated video '${upstreamId}'`,
  });
}

/** Resolves after `milliseconds`, or rejects as an aborted upstream call would. */
function sleep(
  milliseconds: number,
  signal: AbortSignal,
  phase: 'request' | 'stream',
): Promise<void> {
  if (signal.aborted) return Promise.reject(errorOfAbort(signal, 'simulated', phase));
  if (milliseconds <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(errorOfAbort(signal, 'simulated', phase));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
