// Bundles the CLI into dist/cli/: envoyscope.cjs with our code and what offline commands use,
// vendor/*.cjs with the packages only live commands load (the Kubernetes client, ws, grpc-js), and
// launch.cjs, the entry. Node spends most of a command's start-up resolving and compiling modules:
// a few files instead of hundreds (client-node alone is 826 ES modules, ~0.45 s) make a live command
// about as quick to start as an offline one. CommonJS, because a script can be compiled through V8's
// code cache on Node 20, where ES modules cannot (src/cli/launch.ts); dynamic imports become lazily
// evaluated parts of the same file.
import { build, type Plugin } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * client-node's KubeConfig module imports its ~800 generated API models (for makeApiClient) and
 * node-fetch with a WHATWG URL stack (for applyToRequest). envoyscope calls neither: it makes its
 * own requests with the options applyToHTTPSOptions fills in. Left out, they would be two thirds
 * of the Kubernetes chunk.
 */
const UNUSED_KUBECONFIG_IMPORTS: Record<string, string[]> = {
  './gen/index.js': ['createConfiguration', 'ServerConfiguration'],
  'node-fetch': ['Headers'],
};

/**
 * The proxy agents it imports are only for clusters with a `proxy-url`, and evaluating them (socks,
 * ip-address, debug…) costs more than the rest of the client: they are loaded from node_modules,
 * as client-node itself would load them, when a kubeconfig names a proxy.
 */
const ON_DEMAND_KUBECONFIG_IMPORTS: Record<string, string[]> = {
  'socks-proxy-agent': ['SocksProxyAgent'],
  hpagent: ['HttpProxyAgent', 'HttpsProxyAgent'],
};

/** An esbuild resolve filter matching exactly these import specifiers. */
function exactly(specifiers: readonly string[]): RegExp {
  return new RegExp(`^(${specifiers.map((specifier) => specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
}

const leanKubeconfig: Plugin = {
  name: 'lean-kubeconfig',
  setup(pluginBuild) {
    const fromKubeconfig = (importer: string) => /@kubernetes[/\\]client-node[/\\]dist[/\\]config\.js$/.test(importer);
    pluginBuild.onResolve({ filter: exactly([...Object.keys(UNUSED_KUBECONFIG_IMPORTS), ...Object.keys(ON_DEMAND_KUBECONFIG_IMPORTS)]) }, (args) => {
      if (!fromKubeconfig(args.importer)) return undefined;
      return { path: args.path, namespace: args.path in UNUSED_KUBECONFIG_IMPORTS ? 'left-out' : 'on-demand' };
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      contents: (UNUSED_KUBECONFIG_IMPORTS[args.path] ?? [])
        .map((name) => `export function ${name}() { throw new Error('${name} from ${args.path} is not bundled with envoyscope (scripts/bundle.ts)'); }`)
        .join('\n'),
      loader: 'js',
    }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'on-demand' }, (args) => ({
      contents: [
        "import { createRequire } from 'node:module';",
        // Resolved from client-node's own directory, where npm put its dependencies.
        "const fromClientNode = () => createRequire(createRequire(import.meta.url).resolve('@kubernetes/client-node/dist/config.js'));",
        ...(ON_DEMAND_KUBECONFIG_IMPORTS[args.path] ?? []).map(
          (name) => `export class ${name} { constructor(...args) { return new (fromClientNode()(${JSON.stringify(args.path)}).${name})(...args); } }`,
        ),
      ].join('\n'),
      loader: 'js',
    }));
  },
};

/**
 * commander requires child_process for executable subcommands, which envoyscope has none of;
 * loading it (with net, dgram…) costs several ms of every start-up. It is required on first use.
 */
const commanderWithoutChildProcess: Plugin = {
  name: 'commander-without-child-process',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[/\\]commander[/\\]lib[/\\]command\.js$/.test(args.importer) ? { path: 'child_process', namespace: 'on-first-use' } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'on-first-use' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, name) => require('node:child_process')[name] });",
      loader: 'js',
    }));
  },
};

/**
 * Imported by our sources, used by live commands only: each is bundled into its own file, which the
 * main bundle requires when the importing module is first evaluated. Offline commands then neither
 * evaluate nor even read them (they are two thirds of the code), and the main bundle's code cache
 * stays small.
 */
const VENDORED: Record<string, string> = {
  '@kubernetes/client-node/dist/config.js': 'client-node',
  ws: 'ws',
  yaml: 'yaml',
  '@grpc/grpc-js': 'grpc-js',
};

const vendored: Plugin = {
  name: 'vendored',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: exactly(Object.keys(VENDORED)) }, (args) =>
      /[/\\]node_modules[/\\]/.test(args.importer) ? undefined : { path: args.path, namespace: 'vendored' },
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'vendored' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`./vendor/${VENDORED[args.path]}.cjs`)});`,
      loader: 'js',
    }));
    pluginBuild.onResolve({ filter: /^\.\/vendor\//, namespace: 'vendored' }, (args) => ({ path: args.path, external: true }));
  },
};

/** A vendor file's entry: what `require(specifier)` gives, so that the main bundle imports it as Node would. */
const vendorEntry: Plugin = {
  name: 'vendor-entry',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^vendor-entry:/ }, (args) => ({ path: args.path.slice('vendor-entry:'.length), namespace: 'vendor-entry' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'vendor-entry' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      resolveDir: root,
      loader: 'js',
    }));
  },
};

rmSync(`${root}/dist`, { recursive: true, force: true });
const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outdir: 'dist/cli',
  outExtension: { '.js': '.cjs' },
  // Less text for V8 to parse; names are kept so that stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
} as const;
// ES module sources call `createRequire(import.meta.url)` to load optional packages on first use.
const IMPORT_META_URL = 'var __importMetaUrl = require("node:url").pathToFileURL(__filename).href;';
const withImportMetaUrl = { define: { 'import.meta.url': '__importMetaUrl' } } as const;
const { metafile } = await build({
  ...common,
  ...withImportMetaUrl,
  entryPoints: { envoyscope: 'src/cli/start.ts' },
  // Strict first, as the ES modules it is built from were (a banner ahead of esbuild's own directive voids it).
  banner: { js: `"use strict"; ${IMPORT_META_URL}` },
  plugins: [vendored, commanderWithoutChildProcess],
  metafile: true,
});
const vendor = await build({
  ...common,
  ...withImportMetaUrl,
  entryPoints: Object.fromEntries(Object.entries(VENDORED).map(([specifier, name]) => [`vendor/${name}`, `vendor-entry:${specifier}`])),
  // CommonJS entries, in the mode Node's own require would give them.
  banner: { js: IMPORT_META_URL },
  plugins: [vendorEntry, leanKubeconfig],
  metafile: true,
});
await build({ ...common, entryPoints: { launch: 'src/cli/launch.ts' } });
// The bundle runs as a vm.Script, which has no loader for import(): every import must be bundled or required.
const outputs = { ...metafile.outputs, ...vendor.metafile.outputs };
const leftDynamic = Object.values(outputs).flatMap((output) => output.imports.filter((entry) => entry.kind === 'dynamic-import'));
if (leftDynamic.length > 0) throw new Error(`import() left in the bundle: ${leftDynamic.map((entry) => entry.path).join(', ')}`);
// Which package went into which file: test/bin.test.ts checks where the Kubernetes client went.
writeFileSync(`${root}/dist/bundle-meta.json`, JSON.stringify({ outputs }));
