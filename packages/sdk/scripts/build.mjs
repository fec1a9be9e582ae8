// Builds the npm package of @tollgate/sdk into packages/sdk/dist:
//   dist/index.js    one ESM bundle (core, zod and ulid inlined: no runtime dependencies),
//                    platform-neutral: it imports no node: module, so it runs wherever fetch does;
//   dist/index.d.ts  the declarations (the core's beside them, referenced relatively);
//   dist/package.json, README.md: publish with `npm publish packages/sdk/dist`.
// The workspace's own package.json keeps pointing at src/, which the monorepo's tests import.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const sdk = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(sdk, 'dist');
const manifest = JSON.parse(readFileSync(join(sdk, 'package.json'), 'utf8'));

rmSync(dist, { recursive: true, force: true });

/**
 * Lets the bundle leave out what the SDK does not use of the core and of zod:
 * both are declared free of side effects, and the core's top-level zod schemas
 * (`const x = z.object(...)`) are wrapped as pure IIFEs, so a schema nobody
 * uses (the SDK validates nothing; the server does) drops out with zod itself.
 */
const CORE_SOURCE = /packages[\\/]core[\\/]src[\\/]/;

const treeShakeCore = {
  name: 'tree-shake-core',
  setup(context) {
    context.onResolve({ filter: /^(@tollgate\/core|zod)(\/|$)/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const resolved = await context.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'resolving',
      });
      return { ...resolved, sideEffects: false };
    });
    // The core's own files too (its barrels re-export relatively): a file nothing uses, such as
    // the shipped price catalogue behind `pricing/index.ts`, drops out.
    context.onResolve({ filter: /^\./ }, async (args) => {
      if (args.pluginData === 'resolving' || !CORE_SOURCE.test(args.importer)) return undefined;
      const resolved = await context.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'resolving',
      });
      return { ...resolved, sideEffects: false };
    });
    context.onLoad({ filter: /packages[\\/]core[\\/]src[\\/].*\.ts$/ }, async (args) => ({
      contents: markSchemasPure(readFileSync(args.path, 'utf8')),
      loader: 'ts',
      resolveDir: dirname(args.path),
    }));
  },
};

const result = await build({
  entryPoints: [join(sdk, 'src/index.ts')],
  outfile: join(dist, 'index.js'),
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  conditions: ['import', 'default'],
  target: 'es2022',
  minify: false,
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
  plugins: [treeShakeCore],
});

execFileSync(
  process.execPath,
  [join(sdk, '../../node_modules/typescript/bin/tsc'), '-p', join(sdk, 'tsconfig.build.json')],
  { stdio: 'inherit' },
);

// The SDK's declarations name '@tollgate/core', which is not published: point them at the core's
// declarations shipped beside them. Relative specifiers get their `.js` (or `/index.js`), as
// Node's ESM resolution (TypeScript's `nodenext`) requires.
const typesRoot = join(dist, 'types');
const coreIndex = join(typesRoot, 'core/src/index.js');
for (const file of walk(typesRoot)) {
  if (!file.endsWith('.d.ts')) continue;
  let text = readFileSync(file, 'utf8');
  if (file.startsWith(join(typesRoot, 'sdk'))) {
    let target = relative(dirname(file), coreIndex).replaceAll('\\', '/');
    if (!target.startsWith('.')) target = `./${target}`;
    text = text.replaceAll(`'@tollgate/core'`, `'${target}'`);
  }
  text = text.replace(/(from\s+|import\()'(\.{1,2}\/[^']*?)'/g, (whole, keyword, specifier) => {
    if (specifier.endsWith('.js')) return whole;
    const base = join(dirname(file), specifier);
    if (existsSync(`${base}.d.ts`)) return `${keyword}'${specifier}.js'`;
    if (existsSync(join(base, 'index.d.ts'))) return `${keyword}'${specifier}/index.js'`;
    return whole;
  });
  writeFileSync(file, text);
}
writeFileSync(join(dist, 'index.d.ts'), "export * from './types/sdk/src/index.js';\n");

writeFileSync(
  join(dist, 'package.json'),
  `${JSON.stringify(
    {
      name: manifest.name,
      version: manifest.version,
      description: manifest.description,
      license: manifest.license,
      type: 'module',
      exports: { '.': { types: './index.d.ts', default: './index.js' } },
      types: './index.d.ts',
      sideEffects: false,
      engines: { node: '>=20.19' },
      // zod only for the types of the event model (the code has it inlined); @sentry/node only for
      // createLogger's `sentry` option, imported when a DSN is given.
      peerDependencies: { zod: '^4', '@sentry/node': '>=10' },
      peerDependenciesMeta: { zod: { optional: true }, '@sentry/node': { optional: true } },
    },
    null,
    2,
  )}\n`,
);
cpSync(join(sdk, 'README.md'), join(dist, 'README.md'));

const bytes = result.metafile.outputs[relative(process.cwd(), join(dist, 'index.js'))]?.bytes;
console.log(
  `built packages/sdk/dist (index.js ${bytes ?? statSync(join(dist, 'index.js')).size} bytes)`,
);

/** `const name = z.…;` → `const name = /* @__PURE__ *\/ (() => z.…)();` at the top level of a file. */
function markSchemasPure(source) {
  const start = /^(?:export )?const \w+(?::[^=\n]+)? = (?=z\.)/gm;
  let output = '';
  let copied = 0;
  for (let match = start.exec(source); match; match = start.exec(source)) {
    const from = match.index + match[0].length;
    const end = statementEnd(source, from);
    if (end < 0) continue;
    output += `${source.slice(copied, from)}/* @__PURE__ */ (() => ${source.slice(from, end)})()`;
    copied = end;
    start.lastIndex = end;
  }
  return output + source.slice(copied);
}

/** The index of the `;` ending the expression at `from` (brackets and strings balanced), or -1. */
function statementEnd(source, from) {
  let depth = 0;
  for (let index = from; index < source.length; index++) {
    const char = source[index];
    if (char === "'" || char === '"' || char === '`') {
      for (index++; index < source.length && source[index] !== char; index++) {
        if (source[index] === '\\') index++;
      }
    } else if (char === '/' && source[index + 1] === '/') {
      index = source.indexOf('\n', index);
    } else if (char === '(' || char === '[' || char === '{') depth++;
    else if (char === ')' || char === ']' || char === '}') depth--;
    else if (char === ';' && depth === 0) return index;
  }
  return -1;
}

function* walk(directory) {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}
