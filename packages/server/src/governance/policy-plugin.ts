import { buildEventRow, type EventTenant } from '@tollgate/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { callTraceOf } from '../http/call-trace';
import { ApiError } from '../http/errors';
import { evaluateFlag, FeatureFlags, GATEWAY_FLAGS, type GatewayFlag } from './flags/feature-flags';
import { GuardrailScreen, promptTextOf, type GuardrailMatch } from './guardrails/guardrail-screen';
import { redactPiiDeep } from '../content/pii-redactor';
import { RetentionJob } from './retention/retention-job';
import { scheduleRetention } from './retention/retention-schedule';

export interface Policies {
  flags: FeatureFlags;
  guardrails: GuardrailScreen;
  retention: RetentionJob;
  /**
   * The gateway endpoints' pre-handler (after auth and rate limits): applies
   * the project's flags (cache, guardrails, upstream PII redaction) and
   * refuses a prompt a `block` reference matches, before any provider is called.
   */
  screenGatewayCall(request: FastifyRequest): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    policies: Policies;
  }
  interface FastifyRequest {
    /** False when the project's `cache` flag turns the response cache off for this call. */
    responseCacheEnabled?: boolean;
  }
}

/**
 * Feature flags, guardrails, PII redaction and retention: the policies an org
 * sets for its projects, applied to gateway calls and stored data.
 */
export const policyPlugin = fastifyPlugin(
  async (app: FastifyInstance) => {
    const { stores, configuration } = app;
    const flags = new FeatureFlags(stores.meta);
    const guardrails = new GuardrailScreen(stores.meta);
    const retention = new RetentionJob({
      meta: stores.meta,
      events: stores.events,
      hot: stores.hot,
      logger: app.log,
    });

    function recordMatches(
      request: FastifyRequest,
      tenant: EventTenant,
      matches: GuardrailMatch[],
    ) {
      const batch = app.callRecords;
      for (const match of matches) {
        try {
          const row = buildEventRow(
            {
              event_type: 'guardrail',
              request_id: request.id,
              // In the caller's run when it names one, beside the call's own prompt_call event.
              run_id: callTraceOf(request).runId ?? request.id,
              user_id: callTraceOf(request).userId,
              name: 'guardrail.match',
              service: 'gateway',
              status: match.action === 'block' ? 'blocked' : 'success',
              score: match.score,
              reference: match.reference.name,
              action: match.action,
              metadata: { reference_id: match.reference.id, path: request.url.split('?')[0] },
            },
            tenant,
          );
          row.threshold = match.reference.threshold;
          batch.add(JSON.stringify(row), request.id);
        } catch (error) {
          request.log.error({ err: error }, 'could not record a guardrail match');
        }
      }
    }

    async function screenGatewayCall(request: FastifyRequest): Promise<void> {
      const caller = request.caller;
      if (!caller?.projectId) return; // The endpoint refuses org keys itself.
      const context = {
        projectId: caller.projectId,
        userId: callTraceOf(request).userId,
      };
      // The meta store unreachable: the gateway's defaults and no guardrail match, never a failed call.
      // One read of the org's (cached) flags for the three, as `FeatureFlags.isEnabled` answers each.
      const orgFlags = await flags.flagsOf(caller.orgId).catch((error: unknown) => {
        request.log.warn({ err: error }, 'could not read the flags; using their defaults');
        return undefined;
      });
      const enabled = (name: GatewayFlag) => {
        const flag = orgFlags?.get(name);
        return flag ? evaluateFlag(flag, context) : GATEWAY_FLAGS[name];
      };
      const cache = enabled('cache');
      const screening = enabled('guardrails');
      const redactUpstream = enabled('pii_redaction_upstream');
      request.responseCacheEnabled = cache;
      if (screening) {
        const matches = await guardrails
          .screen(caller.orgId, caller.projectId, promptTextOf(request.body))
          .catch((error: unknown) => {
            request.log.warn({ err: error }, 'could not load guardrail references; not screening');
            return [];
          });
        if (matches.length > 0) {
          const tenant = {
            orgId: caller.orgId,
            projectId: caller.projectId,
            retentionDays: caller.retentionDays,
          };
          recordMatches(request, tenant, matches);
          const blocking = matches.find((match) => match.action === 'block');
          if (blocking) {
            throw new ApiError(
              'guardrail_blocked',
              `The prompt was blocked by the guardrail "${blocking.reference.name}" (similarity ${blocking.score})`,
              { reference: blocking.reference.name, score: blocking.score },
            );
          }
        }
      }
      if (redactUpstream && typeof request.body === 'object' && request.body !== null) {
        const body = request.body as Record<string, unknown>;
        if (body.messages !== undefined) body.messages = redactPiiDeep(body.messages);
        if (body.system !== undefined) body.system = redactPiiDeep(body.system);
        // The Responses API's prompt (`/v1/responses`).
        if (body.input !== undefined) body.input = redactPiiDeep(body.input);
        if (body.instructions !== undefined) body.instructions = redactPiiDeep(body.instructions);
      }
    }

    if (configuration.retentionTime) {
      const at = configuration.retentionTime;
      let stop: (() => void) | undefined;
      app.addHook('onReady', async () => {
        stop = scheduleRetention(retention, at, (error) =>
          app.log.error({ err: error, job: 'retention' }, 'the retention job failed'),
        );
      });
      app.addHook('onClose', async () => stop?.());
    }

    app.decorateRequest('responseCacheEnabled', undefined);
    app.decorate('policies', { flags, guardrails, retention, screenGatewayCall });
  },
  { name: 'tollgate-policies', dependencies: ['tollgate-auth'] },
);
