// The proxy-status views, from the merged sync model: istioctl's per-type table (its `-v 1`
// table, envoyscope's default), its SUBSCRIBED TYPES table (`--types`), and each replica's answer
// as JSON or YAML the way istioctl prints it (Go jsonpb, indent 4; YAML with sorted keys).
import { isObj, type Obj } from '../envoy/model.ts';
import { loadYaml } from '../render/output.ts';
import { tabwrite } from '../render/tabwriter.ts';
import { compareGoStrings } from '../util/goString.ts';
import { jsonName } from '../util/protoField.ts';
import { shortType, TYPE_URL, type ProxySync, type SyncAnswer, type XdsTypeSync } from './syncz.ts';

/** istioctl's tabwriter for proxy-status: minwidth 0, tabwidth 8, padding 5. */
const PADDING = 5;

/** Columns every per-type table has, whether or not any proxy subscribes. */
const ALWAYS_SHOWN = [TYPE_URL.cluster, TYPE_URL.listener, TYPE_URL.endpoint, TYPE_URL.route, TYPE_URL.extension];

/** `NAME CLUSTER <one column per type, by type URL> ISTIOD VERSION`; `now` ages the cells. */
export function typesTable(proxies: readonly ProxySync[], now: Date): string {
  const seen = new Set<string>(ALWAYS_SHOWN);
  for (const proxy of proxies) for (const type of proxy.types) seen.add(type.typeUrl);
  const columns = [...seen].sort(compareGoStrings);
  const rows = [['NAME', 'CLUSTER', ...columns.map(shortType), 'ISTIOD', 'VERSION']];
  for (const proxy of proxies) {
    const byType = new Map(proxy.types.map((type) => [type.typeUrl, type]));
    rows.push([proxy.id, proxy.clusterId ?? '', ...columns.map((url) => cell(byType.get(url), now)), proxy.istiod, proxy.version ?? '']);
  }
  return tabwrite(rows, PADDING);
}

function cell(type: XdsTypeSync | undefined, now: Date): string {
  if (!type || type.state === 'UNKNOWN') return 'IGNORED';
  if (type.state === 'NOT_SENT') return 'NOT SENT';
  if (type.lastUpdated !== undefined) {
    const at = Date.parse(type.lastUpdated);
    if (!Number.isNaN(at)) return `${type.state} (${humanDuration(now.getTime() - at)})`;
  }
  return type.neverAcked ? `${type.state} (Never Acknowledged)` : type.state;
}

/** Kubernetes' duration.HumanDuration, which istioctl ages its cells with. */
export function humanDuration(ms: number): string {
  if (ms < -1000) return '<invalid>';
  if (ms < 0) return '0s';
  const seconds = Math.floor(ms / 1000);
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  const withRest = (big: number, bigUnit: string, rest: number, restUnit: string) => (rest === 0 ? `${big}${bigUnit}` : `${big}${bigUnit}${rest}${restUnit}`);
  if (minutes < 10) return withRest(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return withRest(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return withRest(Math.floor(hours / 24), 'd', hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) return withRest(Math.floor(hours / 24 / 365), 'y', Math.floor(hours / 24) % 365, 'd');
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** The classic four first, then the other subscribed types by type URL (istioctl's order). */
const FIRST_TYPES = [TYPE_URL.cluster, TYPE_URL.listener, TYPE_URL.endpoint, TYPE_URL.route];

/** `NAME CLUSTER ISTIOD VERSION SUBSCRIBED TYPES`: `5 (CDS,LDS,EDS,RDS,ECDS)`, or `0`. */
export function subscribedTable(proxies: readonly ProxySync[]): string {
  const rows = [['NAME', 'CLUSTER', 'ISTIOD', 'VERSION', 'SUBSCRIBED TYPES']];
  for (const proxy of proxies) {
    const subscribed = proxy.types.filter((type) => type.state !== 'UNKNOWN').map((type) => type.typeUrl);
    const rank = (url: string) => {
      const first = FIRST_TYPES.indexOf(url as (typeof FIRST_TYPES)[number]);
      return first < 0 ? FIRST_TYPES.length : first;
    };
    subscribed.sort((a, b) => rank(a) - rank(b) || compareGoStrings(a, b));
    const types = subscribed.length === 0 ? '0' : `${subscribed.length} (${subscribed.map(shortType).join(',')})`;
    rows.push([proxy.id, proxy.clusterId ?? '', proxy.istiod, proxy.version ?? '', types]);
  }
  return tabwrite(rows, PADDING);
}

// ---- -o json / yaml ---------------------------------------------------------------------------

/** Field order of the messages in an xDS syncz answer (proto declaration order, JSON names). */
const FIELD_ORDER = {
  response: ['versionInfo', 'resources', 'canary', 'typeUrl', 'nonce', 'controlPlane', 'resourceErrors'],
  clientConfig: ['@type', 'node', 'xdsConfig', 'genericXdsConfigs', 'clientScope'],
  node: [
    'id',
    'cluster',
    'metadata',
    'dynamicParameters',
    'locality',
    'userAgentName',
    'userAgentVersion',
    'userAgentBuildVersion',
    'extensions',
    'clientFeatures',
    'listeningAddresses',
  ],
  generic: ['typeUrl', 'name', 'versionInfo', 'xdsConfig', 'lastUpdated', 'configStatus', 'clientStatus', 'errorState', 'isStaticResource'],
} satisfies Record<string, string[]>;

/** JSON names, proto order; unknown fields kept after the known ones. */
function ordered(obj: Obj, order: string[], children: Record<string, (value: unknown) => unknown> = {}): Obj {
  const renamed = new Map(Object.entries(obj).map(([key, value]) => [key === '@type' ? key : jsonName(key), value]));
  const out: Obj = {};
  for (const key of [...order, ...renamed.keys()]) {
    if (!renamed.has(key) || key in out) continue;
    const value = renamed.get(key);
    out[key] = children[key] ? children[key](value) : value;
  }
  return out;
}

/** An xDS answer in istioctl's field order and spelling; an HTTP answer as it came. */
function canonicalAnswer(answer: SyncAnswer): unknown {
  if (answer.shape !== 'xds' || !isObj(answer.raw)) return answer.raw;
  const generic = (list: unknown) => (Array.isArray(list) ? list.map((g) => (isObj(g) ? ordered(g, FIELD_ORDER['generic']) : g)) : list);
  const clientConfig = (resource: unknown) =>
    isObj(resource)
      ? ordered(resource, FIELD_ORDER['clientConfig'], {
          node: (node) => (isObj(node) ? ordered(node, FIELD_ORDER['node']) : node),
          genericXdsConfigs: generic,
        })
      : resource;
  return ordered(answer.raw, FIELD_ORDER['response'], {
    resources: (list) => (Array.isArray(list) ? list.map(clientConfig) : list),
  });
}

/** The answer with only the proxies of `namespace` (istioctl's `-n` on `-o json|yaml`). */
export function answerInNamespace(answer: SyncAnswer, namespace: string): SyncAnswer {
  const keep = new Set(answer.proxies.filter((proxy) => proxy.namespace === namespace).map((proxy) => proxy.id));
  const proxies = answer.proxies.filter((proxy) => keep.has(proxy.id));
  if (Array.isArray(answer.raw)) return { ...answer, proxies, raw: answer.raw.filter((item) => isObj(item) && keep.has(String(item['proxy']))) };
  if (!isObj(answer.raw) || !Array.isArray(answer.raw['resources'])) return { ...answer, proxies };
  const resources = answer.raw['resources'].filter((resource) => {
    const node = isObj(resource) ? resource['node'] : undefined;
    return isObj(node) && keep.has(String(node['id']));
  });
  return { ...answer, proxies, raw: { ...answer.raw, resources } };
}

/** One document per replica, by replica name, each as Go's jsonpb (indent 4) prints it. */
export function answersJson(answers: readonly SyncAnswer[]): string {
  return byReplica(answers)
    .map((answer) => `${goJsonpb(canonicalAnswer(answer), '')}\n`)
    .join('');
}

/**
 * Go jsonpb with a four-space indent. Its one quirk: a google.protobuf.Struct (node `metadata`)
 * is indented one level deeper than its key, closing brace included.
 */
function goJsonpb(value: unknown, indent: string, struct = false): string {
  const inner = `${indent}    `;
  if (struct) return JSON.stringify(value, null, 4).replaceAll('\n', `\n${inner}`);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => inner + goJsonpb(item, inner)).join(',\n')}\n${indent}]`;
  }
  if (isObj(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const lines = entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${goJsonpb(item, inner, key === 'metadata' && isObj(item))}`);
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/** Each replica's answer as YAML (sorted keys, go-yaml's quoting), one document after another. */
export function answersYaml(answers: readonly SyncAnswer[]): string {
  return byReplica(answers)
    .map((answer) => `${goYaml(canonicalAnswer(answer))}\n`)
    .join('');
}

function byReplica(answers: readonly SyncAnswer[]): SyncAnswer[] {
  return [...answers].sort((a, b) => compareGoStrings(a.istiod, b.istiod));
}

/**
 * YAML as istioctl prints it (JSON → YAML through Go maps): keys sorted, sequences not indented
 * under their key, strings that would read as another type double-quoted, others single-quoted
 * only when plain style is impossible.
 */
function goYaml(value: unknown): string {
  const yaml = loadYaml();
  const doc = new yaml.Document(value, { sortMapEntries: (a, b) => compareGoStrings(String(a.key), String(b.key)) });
  yaml.visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string') return;
      if (readsAsOtherScalar(yaml, node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ singleQuote: true, lineWidth: 0, indentSeq: false });
}

/** Would this text, written plain, read back as a number, boolean or null (go-yaml's resolve)? */
function readsAsOtherScalar(yaml: typeof import('yaml'), text: string): boolean {
  if (text === '') return false;
  try {
    const value: unknown = yaml.parse(text);
    return value === null || typeof value === 'number' || typeof value === 'boolean';
  } catch {
    return false;
  }
}
