// Dependency direction for Tollgate, held by a tool (STYLE.md item 2):
//   core <- sdk, core <- server <- web (build output only, served by path at runtime);
//   core <- web for the API answer types (`@tollgate/core/api`, type-only imports).
// Every rule is an error. Workspace imports such as `@tollgate/core` resolve through the
// node_modules symlinks to `packages/core/src/...` (preserveSymlinks: false), so the rules
// below match on the real package path, whichever way a module was imported.

/** Node built-ins that do I/O; core must stay pure (crypto, util, events etc. are fine). */
const ioBuiltins = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'child_process',
  'cluster',
  'dgram',
  'dns',
  'dns/promises',
  'tls',
  'worker_threads',
  'readline',
  'readline/promises',
  'repl',
  'inspector',
];

/**
 * The server's folders from the bottom up (docs/architecture.md, "Which folder may import which").
 * A folder may import its own level and the levels below it, never one above: so no two
 * folders can depend on each other. Root files are named with `.ts`. Tests are not held to it.
 */
const serverLevels = [
  ['stores', 'pricing', 'tokens', 'content', 'secrets'],
  ['http', 'observability'],
  ['outbound', 'config.ts'],
  ['auth', 'ingest', 'prompts'],
  ['gateway'],
  ['governance', 'metrics', 'alerts', 'reports'],
  ['api', 'demo'],
  ['cli', 'app.ts', 'bootstrap.ts', 'main.ts'],
];
const serverPath = (names) =>
  `^packages/server/src/(${names.map((name) => (name.endsWith('.ts') ? name.replace('.', '\\.') + '$' : `${name}/`)).join('|')})`;
const serverLevelRules = serverLevels.slice(0, -1).map((names, level) => ({
  name: `server-level-${level + 1}-not-upwards`,
  severity: 'error',
  comment: `packages/server/src/{${names.join(',')}} must not import a folder above it (${serverLevels
    .slice(level + 1)
    .flat()
    .join(', ')}); see docs/architecture.md.`,
  from: { path: serverPath(names), pathNot: '\\.test\\.ts$' },
  to: { path: serverPath(serverLevels.slice(level + 1).flat()) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...serverLevelRules,
    {
      name: 'core-not-to-other-packages',
      severity: 'error',
      comment: 'packages/core is the bottom layer: it must not depend on sdk, server or web.',
      from: { path: '^packages/core/' },
      to: { path: '^packages/(sdk|server|web)/' },
    },
    {
      name: 'core-no-io-builtins',
      severity: 'error',
      comment:
        'packages/core does no I/O: no node built-ins that touch the file system, network, ' +
        'processes or threads (node:crypto is allowed).',
      from: { path: '^packages/core/' },
      to: {
        dependencyTypes: ['core'],
        path: `^(node:)?(${ioBuiltins.join('|')})$`,
      },
    },
    {
      name: 'core-only-zod-and-ulid',
      severity: 'error',
      comment: 'packages/core may depend on no npm package other than zod and ulid.',
      from: { path: '^packages/core/' },
      to: {
        path: 'node_modules/',
        pathNot: 'node_modules/(zod|ulid)/',
      },
    },
    {
      name: 'sdk-not-to-server-or-web',
      severity: 'error',
      comment: 'packages/sdk depends on core only, never on the server or the dashboard.',
      from: { path: '^packages/sdk/' },
      to: { path: '^packages/(server|web)/' },
    },
    {
      name: 'server-not-to-web-source',
      severity: 'error',
      comment:
        'packages/server serves the built dashboard (packages/web/dist) by path at runtime; ' +
        'it must never import web source.',
      from: { path: '^packages/server/' },
      to: { path: '^packages/web/' },
    },
    {
      name: 'web-only-core-api',
      severity: 'error',
      comment:
        'packages/web takes from core only the API answer schemas (`@tollgate/core/api`, as ' +
        'types), never the rest of core, the sdk or the server.',
      from: { path: '^packages/web/' },
      to: { path: '^packages/(core|sdk|server)/', pathNot: '^packages/core/src/api/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular dependencies make load order and ownership unclear.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'Every import must resolve (missing file, typo, or package not installed).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // node_modules is not crawled (doNotFollow also keeps it out of the files scanned), but it
    // is deliberately NOT in `exclude`: excluded modules vanish from the graph, and the
    // core-only-zod-and-ulid rule has to see core's imports of npm packages to judge them.
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    preserveSymlinks: false,
    // Count `import type` too: a type-only import still couples two packages.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
