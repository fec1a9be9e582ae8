// Builds what `npm start` needs: the server bundle (with the workspace
// packages compiled in, npm dependencies left external) and the meta-store
// migrations beside it.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const server = join(root, 'packages/server');
const dist = join(server, 'dist');

rmSync(dist, { recursive: true, force: true });

const externalNpmPackages = {
  name: 'external-npm-packages',
  setup(context) {
    context.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@tollgate/') ? undefined : { path: args.path, external: true },
    );
  },
};

await build({
  entryPoints: [join(server, 'src/cli/main.ts')],
  outfile: join(dist, 'main.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  plugins: [externalNpmPackages],
  logLevel: 'warning',
});

const migrations = join(server, 'src/stores/meta/migrations');
if (existsSync(migrations)) cpSync(migrations, join(dist, 'migrations/meta'), { recursive: true });

console.log(`built ${join('packages/server/dist/main.js')}`);

// The dashboard: packages/web/dist, which the server serves at `/`.
execFileSync('npm', ['run', 'build', '--workspace', 'packages/web'], {
  cwd: root,
  stdio: 'inherit',
});
