// Waypoints are Envoy deployments of a Gateway (class istio-waypoint): `pc --waypoint NAME` finds
// the Gateway's pod by the label Kubernetes Gateway controllers put on it.

import { NoPodsMatchError, podLabel } from './errors.ts';
import type { KubeSession } from './session.ts';
import type { PodRef } from './types.ts';

const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
const MANAGED_LABEL = 'gateway.istio.io/managed';

/** Istio labels the pods of the waypoints it deploys `gateway.istio.io/managed=istio.io-mesh-controller`. */
export function isWaypointPod(pod: PodRef): boolean {
  return pod.labels[MANAGED_LABEL] === 'istio.io-mesh-controller';
}

/** The pod of waypoint `name` in the session's namespace; the first (kubectl's order) when it has replicas. */
export async function waypointPod(session: KubeSession, name: string, note: (line: string) => void): Promise<PodRef> {
  const selector = `${GATEWAY_NAME_LABEL}=${name}`;
  const pods = await session.resolveTargets({ selector }).catch((error: unknown) => {
    throw error instanceof NoPodsMatchError ? new NoPodsMatchError(`waypoint "${name}" (selector ${selector})`, session.namespace) : error;
  });
  const running = pods.filter((pod) => pod.phase === 'Running' && pod.ready);
  const chosen = running[0] ?? pods[0];
  if (!chosen) throw new NoPodsMatchError(`waypoint "${name}" (selector ${selector})`, session.namespace);
  if (pods.length > 1) note(`waypoint ${name} has ${pods.length} pods; showing ${podLabel(chosen)}`);
  return chosen;
}
