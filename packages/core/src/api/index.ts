/**
 * The API's answers as zod schemas: the server declares them as each route's
 * `schema.response` (so the OpenAPI document describes them and every answer is
 * checked against them), and the dashboard takes its types from them
 * (`z.infer`). No I/O: imported by the server and, type-only, by the dashboard.
 */
export * from './common';
export * from './events';
export * from './analytics';
export * from './tenants';
export * from './governance';
export * from './gateway';
