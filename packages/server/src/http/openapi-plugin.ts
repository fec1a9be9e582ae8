import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { createJsonSchemaTransform } from 'fastify-type-provider-zod';
import {
  strictZodSerializerCompiler,
  zodSerializerCompiler,
  zodValidatorCompiler,
} from './zod-validation';

export interface OpenApiPluginOptions {
  /** Refuse (500) an answer with fields its response schema leaves out, instead of dropping them. */
  strictAnswers?: boolean;
}

/** Where Tollgate's own API lives; the document describes these routes and no others. */
export const API_PREFIX = '/api/v1';
/** The OpenAPI document, as JSON. */
export const OPENAPI_JSON_PATH = `${API_PREFIX}/openapi.json`;
/** The Swagger UI that reads it (assets served from node_modules: no network needed). */
export const DOCS_PATH = '/docs';

/**
 * The OpenAPI document generated from the zod schemas every `/api/v1` route declares in its
 * Fastify `schema` (the same schemas validate the requests: `zodValidatorCompiler`), served at
 * `/api/v1/openapi.json` and browsable at `/docs`. Answers are described (and written:
 * `zodSerializerCompiler`) by the zod schemas a route declares in `schema.response`, kept in
 * `@tollgate/core/api`. Both are public: they describe the API and hold no tenant's data. Routes outside `/api/v1` (the gateway's provider formats, OTLP,
 * `/metrics`, the dashboard) are left out of the document. Registered before any route, so its
 * `onRoute` hook sees them all.
 */
export const openApiPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: OpenApiPluginOptions) => {
    app.setValidatorCompiler(zodValidatorCompiler);
    app.setSerializerCompiler(
      options.strictAnswers ? strictZodSerializerCompiler : zodSerializerCompiler,
    );
    const zodTransform = createJsonSchemaTransform({});
    await app.register(fastifySwagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Tollgate API',
          description:
            'Tollgate’s own API: ingestion, analytics, prompts, budgets, flags and administration. Errors answer `{ "error": { "code", "message", "details"? } }` with a code from docs/errors.md.',
          version: '1',
        },
        components: {
          securitySchemes: {
            apiKey: { type: 'http', scheme: 'bearer', description: 'A Tollgate key, `tg_…`' },
          },
        },
        security: [{ apiKey: [] }],
      },
      transform: (document) => {
        if (!document.url.startsWith(`${API_PREFIX}/`)) {
          return { schema: { ...document.schema, hide: true }, url: document.url };
        }
        return zodTransform(document);
      },
    });
    await app.register(fastifySwaggerUi, { routePrefix: DOCS_PATH });
    app.get(OPENAPI_JSON_PATH, { schema: { summary: 'This OpenAPI document', security: [] } }, () =>
      app.swagger(),
    );
  },
  { name: 'tollgate-openapi' },
);
