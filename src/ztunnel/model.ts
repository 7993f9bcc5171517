// The decoded form of a ztunnel admin `/config_dump`. ztunnel writes one camelCase JSON document;
// its sections changed shape over releases (maps keyed by `network/ip` or identity, later lists),
// so every item keeps its whole JSON object (`raw`, unknown fields included) beside the few
// fields the views read.
import type { Obj } from '../envoy/model.ts';

export interface ZtunnelDump {
  workloads: ZWorkload[];
  services: ZService[];
  policies: ZPolicy[];
  certificates: ZCertificate[];
  /** Per-workload connection state (`workloadState`), in dump order. */
  workloadStates: ZWorkloadState[];
}

export interface ZWorkload {
  raw: Obj;
  uid: string;
  name: string;
  namespace: string;
  node: string;
  protocol: string;
  status: string;
  hostname: string;
  /** Bare IPs. */
  workloadIps: string[];
  /** `waypoint.destination`: `network/ip` or `namespace/hostname`; absent without a waypoint. */
  waypoint: string | undefined;
}

export interface ZService {
  raw: Obj;
  name: string;
  namespace: string;
  hostname: string;
  /** `network/ip`, as ztunnel writes them. */
  vips: string[];
  /** The workload uid of each endpoint. */
  endpointWorkloadUids: string[];
  waypoint: string | undefined;
}

export interface ZPolicy {
  raw: Obj;
  name: string;
  namespace: string;
  action: string;
  scope: string;
}

export interface ZCert {
  serialNumber: string;
  validFrom: string;
  expirationTime: string;
}

export interface ZCertificate {
  raw: Obj;
  identity: string;
  /** `Initializing`, `Available`, or `Unavailable: <why>`. */
  state: string;
  certChain: ZCert[];
  /** Newer ztunnels list the roots apart; older ones end `certChain` with the root. */
  rootCerts: ZCert[] | undefined;
}

export interface ZConnection {
  raw: Obj;
  src: string;
  originalDst: string;
  actualDst: string;
  protocol: string;
}

export interface ZWorkloadState {
  raw: Obj;
  /** The key ztunnel filed it under (the workload uid), when the section is a map. */
  key: string | undefined;
  state: string;
  name: string;
  namespace: string;
  inbound: ZConnection[];
  outbound: ZConnection[];
}
