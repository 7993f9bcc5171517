// Bundles the CLI into dist/cli/: one file for everything an offline command runs, plus chunks
// for what is loaded lazily (the Kubernetes client). Dependencies are bundled too: Node spends
// most of a command's start-up resolving and compiling modules, and one file instead of hundreds
// (client-node alone is 826 ES modules, ~0.45 s) is what makes a live command about as quick to
// start as an offline one.
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

const leanKubeconfig: Plugin = {
  name: 'lean-kubeconfig',
  setup(pluginBuild) {
    const fromKubeconfig = (importer: string) => /@kubernetes[/\\]client-node[/\\]dist[/\\]config\.js$/.test(importer);
    pluginBuild.onResolve({ filter: /^(\.\/gen\/index\.js|node-fetch|socks-proxy-agent|hpagent)$/ }, (args) => {
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

rmSync(`${root}/dist`, { recursive: true, force: true });
const { metafile } = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Less text for V8 to parse at start-up; names are kept so that stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  chunkNames: '[name]-[hash]',
  // The bundled CommonJS packages (commander, ws, js-yaml…) call require() for Node's own modules.
  // Made on first use: most chunks never call it, and each createRequire costs start-up time.
  banner: {
    js: "import { createRequire as __envoyscopeCreateRequire } from 'node:module'; let __envoyscopeRequire; function require(id) { return (__envoyscopeRequire ??= __envoyscopeCreateRequire(import.meta.url))(id); }",
  },
  plugins: [leanKubeconfig, commanderWithoutChildProcess],
  metafile: true,
  logLevel: 'warning',
});
// Which package went into which file, and how the files import each other: test/bin.test.ts checks
// that offline commands never load the Kubernetes client.
writeFileSync(`${root}/dist/bundle-meta.json`, JSON.stringify(metafile));
