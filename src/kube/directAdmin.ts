// --admin-url: talk to an Envoy admin directly (a local Envoy, or one already port-forwarded).
// Needs no Kubernetes client, so the CLI may import this file without loading client-node.

import { UsageError } from '../errors.ts';
import { adminClient, type AdminMethod, adminPath, HttpExchangeError, httpGet, truncatedError } from './adminHttp.ts';
import { AdminRefusedError, KubeTimeoutError } from './errors.ts';
import type { EnvoyAdminClient, Logger } from './types.ts';

export interface DirectAdminOptions {
  timeoutMs: number;
  log?: Logger;
}

export function directAdmin(url: string, options: DirectAdminOptions): EnvoyAdminClient {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new UsageError(`--admin-url ${JSON.stringify(url)} is not a URL (e.g. http://127.0.0.1:15000)`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new UsageError(`--admin-url must be an http:// or https:// URL, not ${JSON.stringify(url)}`);
  }
  // Never echo credentials a user may have put in the URL.
  base.username = '';
  base.password = '';
  const source = base.href.replace(/\/$/, '');
  const prefix = adminPath(base.pathname).replace(/([^/])$/, '$1/');

  return adminClient({
    source,
    from: source,
    fetch: (path, signal, method) => httpGet({ origin: base }, `${prefix}${adminPath(path)}`, signal, method),
    timeoutMs: options.timeoutMs,
    ...(options.log ? { log: options.log } : {}),
    explain: (error, path, signal, method) => explain(error, source, path, signal, method, options.timeoutMs),
  });
}

function explain(error: unknown, source: string, path: string, signal: AbortSignal, method: AdminMethod, timeoutMs: number): Error {
  if (!(error instanceof HttpExchangeError)) return error as Error;
  if (signal.aborted) return new KubeTimeoutError(`fetching /${adminPath(path)} from ${source}`, timeoutMs);
  if (error.status !== undefined) return truncatedError(source, path, error, method);
  return AdminRefusedError.forUrl(source, error.message);
}
