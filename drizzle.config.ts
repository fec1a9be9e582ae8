import { defineConfig } from 'drizzle-kit';

// Meta store migrations (PGlite and Postgres share them). Regenerate after editing the schema:
//   npx drizzle-kit generate --name <what-changed>
export default defineConfig({
  dialect: 'postgresql',
  schema: './packages/server/src/stores/meta/schema.ts',
  out: './packages/server/src/stores/meta/migrations',
});
