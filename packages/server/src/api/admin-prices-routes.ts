import {
  modelPriceSchema,
  usdPerMillionTokens,
  type ModelPrice,
  type Organization,
  type PriceOverride,
} from '@tollgate/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../http/errors';
import { GLOBAL_PRICE_PREFIX, globalPricesOf, ownPricesOf } from '../pricing/pricing-service';
import { describeUnpricedPolicy } from '../pricing/unpriced-policy';
import { orgAdminOnly, orgIdOf } from './admin-access';
import { audit, found } from './admin-tenants-present';

const modelField = z.string().trim().min(1).max(256);
const scopeField = z.enum(['org', 'global']).default('org');

const setPriceSchema = z.strictObject({
  model: modelField,
  /** `org`: the caller's org only; `global`: every org (operator admins only). */
  scope: scopeField,
  price: modelPriceSchema,
});
const removePriceSchema = z.strictObject({ model: modelField, scope: scopeField });
const catalogueSchema = z.union([
  z.strictObject({ source: z.string().trim().min(1).max(2048) }),
  z.strictObject({ shipped: z.literal(true) }),
]);
const lookupSchema = z.object({ model: modelField.optional() });

/**
 * Prices (`/api/v1/admin/prices`): the catalogue in use and its date, the
 * unpriced policy, the org's and the operator's overrides, the price a model
 * resolves to, and changes: an org admin sets its org's prices; an admin of
 * the operator org sets global prices (every org's, under each org's own) and
 * loads a newer catalogue. Every change is audited.
 */
export async function adminPricesRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = orgAdminOnly(app);
  const { meta } = app.stores;
  const { pricing } = app;

  async function ownOrganization(request: FastifyRequest): Promise<Organization> {
    return found(await meta.getOrganization(orgIdOf(request)), 'the caller’s organization');
  }

  /** The org whose overrides a change edits: the caller's, or the operator's for `global`. */
  async function targetOf(request: FastifyRequest, scope: 'org' | 'global') {
    const own = await ownOrganization(request);
    if (scope === 'global' && !own.operator) {
      throw new ApiError(
        'forbidden',
        'only an admin of the operator organization sets global prices',
      );
    }
    return own;
  }

  /** Sets (or with `price` undefined, removes) one price in the org's stored overrides. */
  async function savePrice(
    request: FastifyRequest,
    organization: Organization,
    scope: 'org' | 'global',
    model: string,
    price: PriceOverride | undefined,
  ) {
    const key = scope === 'global' ? `${GLOBAL_PRICE_PREFIX}${model}` : model;
    const stored = organization.priceOverrides ?? {};
    const before = stored[key] ?? null;
    if (!price && !before) throw new ApiError('not_found', `no ${scope} price for ${model}`);
    const next: Record<string, PriceOverride> = Object.fromEntries(
      Object.entries(stored).filter(([name]) => name !== key),
    );
    if (price) next[key] = price;
    await meta.updateOrganization(organization.id, { priceOverrides: next });
    if (scope === 'global') pricing.setGlobalOverrides(globalPricesOf(next));
    // Cached callers hold the old prices; this also tells other processes to reload.
    await app.invalidateVerifiedKeys();
    await audit(app, request, {
      orgId: organization.id,
      action: price ? 'price.set' : 'price.removed',
      targetType: scope === 'global' ? 'global_price' : 'price',
      targetId: model,
      before,
      after: price ?? null,
    });
  }

  app.get(
    '/api/v1/admin/prices',
    { preValidation, schema: { querystring: lookupSchema } },
    async (request) => {
      const { model } = request.query;
      const own = await ownOrganization(request);
      const catalogue = pricing.catalogue;
      const response: Record<string, unknown> = {
        catalogue: {
          checked_at: catalogue.checkedAt,
          source: catalogue.source,
          models: catalogue.models.size,
        },
        unpriced_policy: describeUnpricedPolicy(app.configuration.pricing.unpricedPolicy),
        org_overrides: ownPricesOf(own.priceOverrides),
        global_overrides: pricing.globalOverrides,
      };
      if (model) {
        const resolved = pricing.forOrganization(own.priceOverrides).resolve(model);
        response.price = resolved
          ? {
              model,
              priced: true,
              matched: resolved.model,
              source: resolved.source,
              provider: resolved.provider,
              simulated: resolved.simulated,
              ...presentPrice(resolved.price),
            }
          : { model, priced: false };
      }
      return response;
    },
  );

  app.put(
    '/api/v1/admin/prices',
    { preValidation, schema: { body: setPriceSchema } },
    async (request) => {
      const body = request.body;
      const model = body.model.toLowerCase();
      const organization = await targetOf(request, body.scope);
      await savePrice(request, organization, body.scope, model, body.price);
      return { model, scope: body.scope, price: body.price };
    },
  );

  app.delete(
    '/api/v1/admin/prices',
    { preValidation, schema: { querystring: removePriceSchema } },
    async (request, reply) => {
      const body = request.query;
      const model = body.model.toLowerCase();
      const organization = await targetOf(request, body.scope);
      await savePrice(request, organization, body.scope, model, undefined);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/admin/prices/catalogue',
    { preValidation, schema: { body: catalogueSchema } },
    async (request) => {
      const body = request.body;
      const own = await targetOf(request, 'global');
      const before = pricing.catalogue;
      let catalogue;
      try {
        catalogue =
          'source' in body
            ? await pricing.loadCatalogue(body.source)
            : pricing.useShippedCatalogue();
      } catch (error) {
        throw new ApiError('invalid_request', `source: ${(error as Error).message}`, {
          field: 'source',
        });
      }
      const summary = {
        checked_at: catalogue.checkedAt,
        source: catalogue.source,
        models: catalogue.models.size,
      };
      await audit(app, request, {
        orgId: own.id,
        action: 'price_catalogue.loaded',
        targetType: 'price_catalogue',
        targetId: catalogue.source,
        before: { checked_at: before.checkedAt, source: before.source, models: before.models.size },
        after: summary,
      });
      return { catalogue: summary };
    },
  );
}

/** A price in USD (per million tokens, per image, per second), as admins write them. */
export function presentPrice(price: ModelPrice): Record<string, unknown> {
  const perMillion = (value: bigint | undefined) =>
    value === undefined ? undefined : usdPerMillionTokens(value);
  const rates = price.rates;
  return {
    input: perMillion(rates?.input),
    output: perMillion(rates?.output),
    cachedInput: perMillion(rates?.cachedInput),
    cacheWrite5m: perMillion(rates?.cacheWrite5m),
    cacheWrite1h: perMillion(rates?.cacheWrite1h),
    longContextAboveTokens: price.longContext?.aboveTokens,
    serviceTiers: Object.keys(price.tiers ?? {}),
    perImage: price.perImage === undefined ? undefined : Number(price.perImage) / 1e15,
    perVideoSecond:
      price.perVideoSecond === undefined ? undefined : Number(price.perVideoSecond) / 1e15,
  };
}
