import { CircuitBreaker, HotStoreBreakerStateStore, type Clock } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { ChatCall } from './call/chat-call';
import { CallTwins } from './call/call-twins';
import { GatewayRouter } from './call/gateway-router';
import { ResponseCache } from './call/response-cache';
import { VideoCalls } from './call/video-call';
import { VideoJobFollower } from './call/video-job-follower';
import type { SecretBox } from '../secrets/secret-box';
import { anthropicEndpoints } from './endpoints/anthropic-endpoints';
import { openAIEndpoints } from './endpoints/openai-endpoints';
import { createProviders } from './providers';
import { lazyTokenCounter } from '../tokens/token-counter';
import { loadRoutesFile } from './routing/route-config';
import { RouteTable } from './routing/route-table';

export interface Gateway {
  routeTable: RouteTable;
  router: GatewayRouter;
  chat: ChatCall;
  secretBox: SecretBox;
  /** Calls an app both traced and sent through the gateway: its span is linked, not counted. */
  twins: CallTwins;
  /** Video jobs: started here, followed by `videoFollower` until they end. */
  videos: VideoCalls;
  videoFollower: VideoJobFollower;
}

declare module 'fastify' {
  interface FastifyInstance {
    gateway: Gateway;
  }
}

export interface GatewayPluginOptions {
  /** The app's clock: breakers, retries and backoff, attempt timeouts, video polling. */
  clock: Clock;
  /** The master key's box: provider credentials are sealed with it. */
  secretBox: SecretBox;
}

/** The LLM gateway: providers, routes, breakers, cache and the provider-format endpoints. */
export const gatewayPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: GatewayPluginOptions) => {
    const { configuration, stores } = app;
    const { clock, secretBox } = options;
    // Providers read Retry-After dates (and the simulated one its video jobs) on the same clock.
    const now = () => clock.now();
    const routeTable = new RouteTable({
      meta: stores.meta,
      secretBox,
      fileRoutes: configuration.routesFile ? loadRoutesFile(configuration.routesFile) : [],
      environment: configuration.environment,
      trustOf: (orgId) => app.outbound.trustOf(orgId),
    });
    const breaker = new CircuitBreaker({
      store: new HotStoreBreakerStateStore(stores.hot),
      failureThreshold: configuration.breaker.failureThreshold,
      coolDownMs: configuration.breaker.coolDownMs,
      windowMs: configuration.breaker.windowMs,
      clock,
      onStoreError: (error) =>
        app.log.warn(
          { err: error },
          'circuit breaker state store failed; letting the call through',
        ),
    });
    breaker.events.on((event) => app.log.warn({ breaker: event }, `circuit breaker ${event.type}`));
    breaker.events.on((event) => app.metrics.breakerChanged(event));
    const router = new GatewayRouter({
      // Both go through the outbound policy: the operator's add the loop header, the tenants' are
      // also held to the addresses the operator allows.
      providers: createProviders({ dispatcher: app.outbound.dispatcher('operator'), now }),
      tenantProviders: createProviders({ dispatcher: app.outbound.dispatcher('tenant'), now }),
      breaker,
      routeTable,
      clock,
    });
    const twins = new CallTwins(stores.hot, app.log);
    const chat = new ChatCall({
      routeTable,
      router,
      cache: new ResponseCache(stores.hot),
      recorder: { observers: app.promptCalls, batch: app.callRecords, logger: app.log, twins },
      logger: app.log,
      tokenCounter: lazyTokenCounter,
      streamIdleTimeoutMs: configuration.streamIdleTimeoutMs,
    });
    const recorder = { observers: app.promptCalls, batch: app.callRecords, logger: app.log, twins };
    const videoFollower = new VideoJobFollower({
      meta: stores.meta,
      router,
      routeTable,
      pricing: app.pricing,
      contentKeys: app.contentKeys,
      recorder,
      clock,
      settings: configuration.videos,
      logger: app.log,
    });
    const videos = new VideoCalls({
      chat,
      router,
      routeTable,
      meta: stores.meta,
      recorder,
      clock,
      settings: configuration.videos,
      onJobStarted: (nextPollAt) => videoFollower.wake(nextPollAt),
    });
    // Jobs left by a restart (or by a replica gone) are resumed once the server is up.
    app.addHook('onReady', async () => videoFollower.start());
    app.addHook('onClose', async () => videoFollower.stop());
    app.decorate('gateway', {
      routeTable,
      router,
      chat,
      secretBox,
      twins,
      videos,
      videoFollower,
    });
    app.decorateRequest('callTrace', undefined);
    await app.register(openAIEndpoints);
    await app.register(anthropicEndpoints);
  },
  {
    name: 'tollgate-gateway',
    dependencies: ['tollgate-auth', 'tollgate-metrics', 'tollgate-outbound'],
  },
);
