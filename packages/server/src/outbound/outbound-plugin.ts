import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { ApiError } from '../http/errors';
import { LOOP_HEADER, OutboundPolicy, type OutboundLookup } from './outbound-policy';

declare module 'fastify' {
  interface FastifyInstance {
    /** The outbound policy every request made for a tenant goes through. */
    outbound: OutboundPolicy;
  }
}

export interface OutboundPluginOptions {
  /** Resolves names at connect time (tests inject one; default `dns.lookup`). */
  lookup?: OutboundLookup;
}

/**
 * The outbound policy from the configuration (`TOLLGATE_OUTBOUND_*`), and the
 * other half of loop detection: a request carrying the header Tollgate adds
 * to its own outbound requests is refused before anything else runs.
 */
export const outboundPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: OutboundPluginOptions) => {
    const { meta } = app.stores;
    const policy = new OutboundPolicy({
      allow: app.configuration.outbound.allow,
      operatorExempt: app.configuration.outbound.operatorExempt,
      isOperatorOrg: async (orgId) => (await meta.getOrganization(orgId))?.operator === true,
      lookup: options.lookup,
    });
    app.decorate('outbound', policy);
    app.addHook('onRequest', (request, _reply, done) => {
      if (request.headers[LOOP_HEADER] === undefined) return done();
      done(
        new ApiError(
          'loop_detected',
          'this request came from Tollgate itself (a deployment or webhook points back at it)',
        ),
      );
    });
    app.addHook('onClose', async () => policy.close());
  },
  { name: 'tollgate-outbound' },
);
