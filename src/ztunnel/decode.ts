// Decodes a ztunnel `/config_dump` of any generation: sections written as maps (keyed by
// `network/ip`, identity or uid) or as lists give the same models. Unknown fields stay in `raw`;
// a field of an unexpected type reads as empty rather than failing the whole dump.
import { DataError } from '../errors.ts';
import { isObj, type Obj } from '../envoy/model.ts';
import type { ZCert, ZCertificate, ZConnection, ZPolicy, ZService, ZtunnelDump, ZWorkload, ZWorkloadState } from './model.ts';

const SECTIONS = ['workloads', 'services', 'policies', 'certificates', 'workloadState'] as const;

const text = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(address).filter((s) => s !== '') : []);
const objects = (value: unknown): Obj[] => (Array.isArray(value) ? value.filter(isObj) : []);

/** An address as ztunnel writes it: a string, or `{network, address}` in some versions. */
function address(value: unknown): string {
  if (!isObj(value)) return text(value);
  const ip = text(value['address']);
  return value['network'] === undefined ? ip : `${text(value['network'])}/${ip}`;
}

/** A section's items with the key each was filed under (maps) or none (lists). */
function items(section: unknown): { key: string | undefined; value: Obj }[] {
  const found: { key: string | undefined; value: Obj }[] = [];
  if (Array.isArray(section)) {
    for (const value of section) if (isObj(value)) found.push({ key: undefined, value });
  } else if (isObj(section)) {
    // A loop rather than Object.entries: big dumps have tens of thousands of entries per section.
    for (const key in section) {
      const value = section[key];
      if (Object.hasOwn(section, key) && isObj(value)) found.push({ key, value });
    }
  }
  return found;
}

/** `waypoint.destination` (a string, or `{namespace, hostname}` / `{network, address}` objects). */
function waypointOf(raw: Obj): string | undefined {
  const waypoint = raw['waypoint'];
  if (!isObj(waypoint)) return undefined;
  const destination = waypoint['destination'];
  if (isObj(destination) && isObj(destination['hostname'])) {
    return `${text(destination['hostname']['namespace'])}/${text(destination['hostname']['hostname'])}`;
  }
  return address(destination);
}

function workload(raw: Obj): ZWorkload {
  return {
    raw,
    uid: text(raw['uid']),
    name: text(raw['name']),
    namespace: text(raw['namespace']),
    node: text(raw['node']),
    protocol: text(raw['protocol']),
    status: text(raw['status']),
    hostname: text(raw['hostname']),
    workloadIps: strings(raw['workloadIps']),
    waypoint: waypointOf(raw),
  };
}

function service(raw: Obj): ZService {
  return {
    raw,
    name: text(raw['name']),
    namespace: text(raw['namespace']),
    hostname: text(raw['hostname']),
    vips: strings(raw['vips']),
    endpointWorkloadUids: items(raw['endpoints']).map(({ value }) => text(value['workloadUid'])),
    waypoint: waypointOf(raw),
  };
}

function policy(raw: Obj): ZPolicy {
  return { raw, name: text(raw['name']), namespace: text(raw['namespace']), action: text(raw['action']), scope: text(raw['scope']) };
}

function cert(raw: Obj): ZCert {
  return { serialNumber: text(raw['serialNumber']), validFrom: text(raw['validFrom']), expirationTime: text(raw['expirationTime']) };
}

function certificate(raw: Obj, key: string | undefined): ZCertificate {
  return {
    raw,
    // Map-shaped dumps file certificates under their identity.
    identity: text(raw['identity']) || (key ?? ''),
    state: text(raw['state']),
    certChain: objects(raw['certChain']).map(cert),
    rootCerts: Array.isArray(raw['rootCerts']) ? objects(raw['rootCerts']).map(cert) : undefined,
  };
}

function connection(raw: Obj): ZConnection {
  return { raw, src: text(raw['src']), originalDst: text(raw['originalDst']), actualDst: text(raw['actualDst']), protocol: text(raw['protocol']) };
}

function workloadState(raw: Obj, key: string | undefined): ZWorkloadState {
  const info = isObj(raw['info']) ? raw['info'] : {};
  const connections = isObj(raw['connections']) ? raw['connections'] : {};
  return {
    raw,
    key,
    state: text(raw['state']),
    name: text(info['name']),
    namespace: text(info['namespace']),
    inbound: objects(connections['inbound']).map(connection),
    outbound: objects(connections['outbound']).map(connection),
  };
}

/** Decodes a parsed ztunnel dump. Throws DataError when `json` is not one. */
export function decodeZtunnelDump(json: unknown, source: string): ZtunnelDump {
  if (!isObj(json)) throw new DataError(source, 'is not a ztunnel config dump (expected a JSON object)');
  const present = SECTIONS.filter((section) => section in json);
  if (present.length === 0) {
    const hint = Array.isArray(json['configs']) ? ": it is an Envoy config dump, which 'pc' shows" : '';
    throw new DataError(source, `is not a ztunnel config dump (none of ${SECTIONS.join(', ')})${hint}`);
  }
  for (const section of present) {
    const value = json[section];
    if (value !== null && !Array.isArray(value) && !isObj(value)) {
      throw new DataError(source, `is not a ztunnel config dump: "${section}" is neither a list nor a map`);
    }
  }
  return {
    workloads: items(json['workloads']).map(({ value }) => workload(value)),
    services: items(json['services']).map(({ value }) => service(value)),
    policies: items(json['policies']).map(({ value }) => policy(value)),
    certificates: items(json['certificates']).map(({ key, value }) => certificate(value, key)),
    workloadStates: items(json['workloadState']).map(({ key, value }) => workloadState(value, key)),
  };
}
