// The live-cluster half of envoyscope. Importing this file is cheap: @kubernetes/client-node is
// loaded by connect() only, so --admin-url and --file never pay for it.

import type { ConnectOptions, KubeSession } from './session.ts';

export { directAdmin, type DirectAdminOptions } from './directAdmin.ts';
export * from './errors.ts';
export { type Settled, settleEach } from './fanOut.ts';
export { DEFAULT_ADMIN_PORT, type LocalForward } from './podAdmin.ts';
export type { AdminOptions, ConnectOptions, KubeSession, TargetRequest } from './session.ts';
export { parseTarget, type Target, type TargetKind } from './target.ts';
export type { AdminResponse, AdminTransport, EnvoyAdminClient, ExecOutcome, Logger, PodRef } from './types.ts';

/** Reads the kubeconfig (no request yet) and returns a session on its current (or --context) cluster. */
export async function connect(options: ConnectOptions): Promise<KubeSession> {
  const { openSession } = await import('./session.ts');
  return openSession(options);
}
