// A large ztunnel /config_dump for `npm run bench`: as older ztunnels write it (sections as maps keyed
// by `network/ip`), with workloads spread over namespaces and nodes, and every service's endpoints.

export interface ZtunnelMeshSize {
  workloads: number;
  services: number;
}

const ip = (base: number, i: number) => `10.${base + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;

export function buildZtunnelDump({ workloads, services }: ZtunnelMeshSize): Record<string, unknown> {
  const namespaceOf = (i: number) => `ns-${i % 50}`;
  const serviceVip = (i: number) => ip(96, i);
  const workloadEntries = Array.from({ length: workloads }, (_, i) => {
    const address = ip(0, i);
    const workload = {
      uid: `Kubernetes//Pod/${namespaceOf(i)}/app-${i}-5b5d6494f4-qwjv4`,
      workloadIps: [address],
      ...(i % 3 === 0 ? { waypoint: { destination: `/${serviceVip(i % services)}`, hbonePort: 15008 } } : {}),
      protocol: i % 4 === 0 ? 'TCP' : 'HBONE',
      name: `app-${i}-5b5d6494f4-qwjv4`,
      namespace: namespaceOf(i),
      serviceAccount: `app-${i % 1000}`,
      workloadName: `app-${i}`,
      workloadType: 'deployment',
      canonicalName: `app-${i}`,
      canonicalRevision: 'v1',
      clusterId: 'Kubernetes',
      trustDomain: 'cluster.local',
      node: `node-${i % 100}`,
      status: 'Healthy',
    };
    return [`/${address}`, workload] as const;
  });
  const serviceEntries = Array.from({ length: services }, (_, i) => {
    const members = Array.from({ length: Math.ceil(workloads / services) }, (_, j) => i + j * services).filter((w) => w < workloads);
    const service = {
      name: `svc-${i}`,
      namespace: namespaceOf(i),
      hostname: `svc-${i}.${namespaceOf(i)}.svc.cluster.local`,
      vips: [`/${serviceVip(i)}`],
      ports: { '9080': 9080 },
      endpoints: Object.fromEntries(
        members.map((w) => [
          `Kubernetes//Pod/${namespaceOf(w)}/app-${w}:/${ip(0, w)}`,
          { workloadUid: `Kubernetes//Pod/${namespaceOf(w)}/app-${w}-5b5d6494f4-qwjv4`, service: `svc-${i}`, address: `/${ip(0, w)}`, port: { '9080': 9080 } },
        ]),
      ),
      subjectAltNames: [],
    };
    return [`/${serviceVip(i)}`, service] as const;
  });
  return {
    workloads: Object.fromEntries(workloadEntries),
    services: Object.fromEntries(serviceEntries),
    policies: [],
    certificates: [],
    workloadState: {},
  };
}
