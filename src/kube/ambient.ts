// Ambient mode, as the API shows it: which pods ztunnel captures, the ztunnel serving a node, and
// the errors that say so. Loaded with session.ts (it reads through the same API client).

import { EnvoyscopeError, ExitCode } from '../errors.ts';
import { ForbiddenError, podLabel } from './errors.ts';
import type { PodRef } from './types.ts';

const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
const REDIRECTION_ANNOTATION = 'ambient.istio.io/redirection';

/** A pod without a sidecar whose traffic ztunnel carries: `pc` cannot show it, `zc` can. */
class AmbientPodError extends EnvoyscopeError {
  constructor(pod: { name: string; namespace: string }, why: string) {
    const label = podLabel(pod);
    super(
      `pod ${label} is in ambient mode (${why}): it has no istio-proxy sidecar; its traffic goes through the ztunnel of its node. ` +
        `Use "envoyscope zc workload ${label}" or "envoyscope zc connections ${label}" (and "pc … --waypoint <name>" for its waypoint)`,
      ExitCode.NOT_IN_MESH,
    );
  }
}

/** `pc` on a ztunnel pod: its admin speaks ztunnel's dump, not Envoy's. */
export class ZtunnelNotEnvoyError extends EnvoyscopeError {
  constructor(pod: { name: string; namespace: string }) {
    super(`pod ${podLabel(pod)} is a ztunnel (ambient mode's node proxy), not an Envoy: use "envoyscope zc all ${podLabel(pod)}"`, ExitCode.NOT_IN_MESH);
  }
}

export class NoZtunnelError extends EnvoyscopeError {
  constructor(where: string, namespace: string) {
    super(
      `no ztunnel pod (label ${ZTUNNEL_SELECTOR}) ${where} in namespace "${namespace}": is ambient mode installed? (-i/--istio-namespace names where)`,
      ExitCode.NO_PODS_MATCH,
    );
  }
}

export class ZtunnelNotReadyError extends EnvoyscopeError {
  constructor(pod: PodRef) {
    super(
      `ztunnel ${podLabel(pod)}${pod.nodeName ? ` on node ${pod.nodeName}` : ''} is not ready (phase ${pod.phase || 'unknown'}): its admin cannot be trusted yet`,
      ExitCode.ADMIN_REFUSED,
    );
  }
}

/** The ztunnel DaemonSet's pods carry `app=ztunnel` (its selector in Istio's charts). */
export const ZTUNNEL_SELECTOR = 'app=ztunnel';
export const isZtunnelPod = (pod: PodRef): boolean => pod.labels['app'] === 'ztunnel';

export interface NamespaceJson {
  metadata?: { labels?: Record<string, string> };
}

/** Why a pod counts as ambient from its own metadata, or undefined. */
export function ambientFromPod(pod: PodRef): string | undefined {
  if (pod.annotations[REDIRECTION_ANNOTATION] === 'enabled') return `annotation ${REDIRECTION_ANNOTATION}=enabled`;
  if (pod.labels[DATAPLANE_MODE_LABEL] === 'ambient') return `label ${DATAPLANE_MODE_LABEL}=ambient`;
  return undefined;
}

/** The AmbientPodError for a sidecar-less pod in ambient mode; undefined when it is simply not in the mesh. */
export async function ambientPodError(readNamespace: (name: string) => Promise<NamespaceJson | undefined>, pod: PodRef): Promise<AmbientPodError | undefined> {
  const own = ambientFromPod(pod);
  if (own) return new AmbientPodError(pod, own);
  if (pod.labels[DATAPLANE_MODE_LABEL] === 'none') return undefined;
  try {
    const namespace = await readNamespace(pod.namespace);
    if (namespace?.metadata?.labels?.[DATAPLANE_MODE_LABEL] === 'ambient') {
      return new AmbientPodError(pod, `namespace ${pod.namespace} is labelled ${DATAPLANE_MODE_LABEL}=ambient`);
    }
  } catch (error) {
    // Without the right to read namespaces, the plain "not in the mesh" stands.
    if (!(error instanceof ForbiddenError)) throw error;
  }
  return undefined;
}
