// Kubeconfig resolution as kubectl does it, on top of client-node's KubeConfig (which keeps the
// authenticators: exec credential plugins, OIDC, token files, in-cluster service accounts).
// client-node differs from kubectl in three ways fixed here (KUBE.md §1.2): with several
// KUBECONFIG files the first file's current-context must win and duplicate names keep their
// first definition (client-node throws); and `tokenFile` is ignored and token files are not trimmed.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import type { Cluster, Context, User } from '@kubernetes/client-node/dist/config_types.js';
import { parse } from 'yaml';
import { KubeconfigError } from './errors.ts';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface KubeconfigOptions {
  /** --kubeconfig: this file only. */
  kubeconfig?: string;
  /** --context */
  context?: string;
  /** -n/--namespace: overrides the context's namespace. */
  namespace?: string;
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** A directory standing for `/` when looking for the in-cluster service account (tests). */
  inClusterRoot?: string;
}

export interface ResolvedKubeconfig {
  kubeConfig: KubeConfig;
  /** The context in use ("inClusterContext" in a pod). */
  context: string;
  /** -n, else the context's namespace, else "default". */
  namespace: string;
  /** The API server URL, without a trailing slash. */
  server: string;
}

interface ParsedFile {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string | undefined;
}

type RawKubeconfig = { users?: { name?: string; user?: Record<string, unknown> }[] } | null;

function readKubeconfigFile(file: string): ParsedFile {
  let raw: RawKubeconfig;
  try {
    raw = parse(readFileSync(file, 'utf8')) as RawKubeconfig;
  } catch (error) {
    throw new KubeconfigError(`${file}: not a readable kubeconfig (${(error as Error).message})`);
  }
  // kubectl reads token files relative to the kubeconfig, trims them, and prefers them to `token`.
  for (const { name, user } of raw?.users ?? []) {
    const tokenFile = user?.tokenFile ?? user?.['token-file'];
    if (!user || typeof tokenFile !== 'string') continue;
    try {
      user.token = readFileSync(resolve(dirname(file), tokenFile), 'utf8').trim();
    } catch (error) {
      throw new KubeconfigError(`${file}: cannot read the token file of user "${name}" (${(error as Error).message})`);
    }
    delete user.tokenFile;
    delete user['token-file'];
  }
  const part = new KubeConfig();
  try {
    part.loadFromString(JSON.stringify(raw ?? {}));
  } catch (error) {
    throw new KubeconfigError(`${file}: not a valid kubeconfig (${(error as Error).message})`);
  }
  part.makePathsAbsolute(dirname(file));
  return { clusters: part.getClusters(), users: part.getUsers(), contexts: part.getContexts(), currentContext: part.getCurrentContext() || undefined };
}

/** kubectl's merge: for each name the first definition wins; the first current-context wins. */
function mergeFirstWins(parts: ParsedFile[]): KubeConfig {
  const firstByName = <T extends { name: string }>(lists: T[][]) => {
    const byName = new Map<string, T>();
    for (const item of lists.flat()) if (!byName.has(item.name)) byName.set(item.name, item);
    return [...byName.values()];
  };
  const merged = new KubeConfig();
  merged.loadFromOptions({
    clusters: firstByName(parts.map((part) => part.clusters)),
    users: firstByName(parts.map((part) => part.users)),
    contexts: firstByName(parts.map((part) => part.contexts)),
    currentContext: parts.find((part) => part.currentContext !== undefined)?.currentContext ?? '',
  });
  return merged;
}

function loadKubeConfig(options: KubeconfigOptions): KubeConfig {
  const env = options.env ?? process.env;
  if (options.kubeconfig !== undefined) {
    if (!existsSync(options.kubeconfig)) throw new KubeconfigError(`${options.kubeconfig}: no such kubeconfig file (--kubeconfig)`);
    return mergeFirstWins([readKubeconfigFile(options.kubeconfig)]);
  }
  if (env.KUBECONFIG) {
    // kubectl skips the files of the list that do not exist.
    const files = env.KUBECONFIG.split(delimiter).filter((file) => file !== '' && existsSync(file));
    if (files.length === 0) throw new KubeconfigError(`none of the KUBECONFIG files exist (${env.KUBECONFIG})`);
    return mergeFirstWins(files.map(readKubeconfigFile));
  }
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return mergeFirstWins([readKubeconfigFile(home)]);
  const root = options.inClusterRoot ?? '';
  if (env.KUBERNETES_SERVICE_HOST && existsSync(`${root}${SERVICE_ACCOUNT_TOKEN}`)) {
    // client-node reads KUBERNETES_SERVICE_HOST/PORT from process.env itself.
    const inCluster = new KubeConfig();
    inCluster.loadFromCluster(root);
    return inCluster;
  }
  throw new KubeconfigError(`no kubeconfig found: set KUBECONFIG, pass --kubeconfig, create ${home}, or run in a pod`);
}

/** The kubeconfig's context names (shell completion of --context). */
export function contextNames(options: KubeconfigOptions): string[] {
  return loadKubeConfig(options)
    .getContexts()
    .map((context) => context.name);
}

export function resolveKubeconfig(options: KubeconfigOptions): ResolvedKubeconfig {
  const kubeConfig = loadKubeConfig(options);
  if (options.context !== undefined) {
    if (!kubeConfig.getContextObject(options.context)) {
      const known =
        kubeConfig
          .getContexts()
          .map((context) => context.name)
          .join(', ') || 'none';
      throw new KubeconfigError(`context "${options.context}" not found in the kubeconfig (contexts: ${known})`);
    }
    kubeConfig.setCurrentContext(options.context);
  }
  const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext());
  if (!context) throw new KubeconfigError('the kubeconfig has no current-context: pass --context');
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new KubeconfigError(`context "${context.name}" names cluster "${context.cluster}", which the kubeconfig does not define`);
  return {
    kubeConfig,
    context: context.name,
    namespace: options.namespace ?? (context.namespace?.trim() || 'default'),
    server: cluster.server.replace(/\/+$/, ''),
  };
}
