// Decodes any generation of Envoy's `/config_dump` (and istiod's copies of it) into a ConfigDump.
// Sections and wrappers are recognised by their `@type`, never by position or Envoy version:
// admin v2alpha (Envoy ≤ 1.12) and v3, map-shaped `configs` (Envoy ≤ 1.7, Pilot 1.0), `?resource=`
// element wrappers, bare resources (istiod `types=`, edsz ≥ 1.25), and egctl's wrapped form.
import { DataError } from '../errors.ts';
import { isObj, type ConfigDump, type Entry, type Obj, type ResourceState, type SectionKind } from './model.ts';
import { quoted } from '../util/printable.ts';
import { jsonName, protoField } from '../util/protoField.ts';
import { canonicalize, messageTypeFromUrl } from './protojson.ts';
import { checkShape, describeJsonValue } from './shapes.ts';

const V3 = {
  bootstrap: 'envoy.config.bootstrap.v3.Bootstrap',
  listener: 'envoy.config.listener.v3.Listener',
  cluster: 'envoy.config.cluster.v3.Cluster',
  route: 'envoy.config.route.v3.RouteConfiguration',
  scopedRoute: 'envoy.config.route.v3.ScopedRouteConfiguration',
  endpoint: 'envoy.config.endpoint.v3.ClusterLoadAssignment',
  secret: 'envoy.extensions.transport_sockets.tls.v3.Secret',
  extension: 'envoy.config.core.v3.TypedExtensionConfig',
} as const;

type Collection = Exclude<keyof ConfigDump, 'sections' | 'bootstrap' | 'unknown'>;

/** How one repeated field of a section holds its resources. */
interface ListSpec {
  field: string;
  state: ResourceState;
  /** Field of each element that holds the resource; empty when the element is the resource. */
  resourceField: string;
}

interface SectionSpec {
  kind: SectionKind;
  collection: Collection | 'bootstrap';
  messageType: string;
  lists: ListSpec[];
}

const SECTIONS: Record<string, SectionSpec> = {
  BootstrapConfigDump: { kind: 'bootstrap', collection: 'bootstrap', messageType: V3.bootstrap, lists: [] },
  ClustersConfigDump: {
    kind: 'clusters',
    collection: 'clusters',
    messageType: V3.cluster,
    lists: [
      { field: 'static_clusters', state: 'static', resourceField: 'cluster' },
      { field: 'dynamic_active_clusters', state: 'active', resourceField: 'cluster' },
      { field: 'dynamic_warming_clusters', state: 'warming', resourceField: 'cluster' },
    ],
  },
  ListenersConfigDump: {
    kind: 'listeners',
    collection: 'listeners',
    messageType: V3.listener,
    // dynamic_listeners (v3) is handled apart: one DynamicListener holds up to three states.
    lists: [
      { field: 'static_listeners', state: 'static', resourceField: 'listener' },
      { field: 'dynamic_active_listeners', state: 'active', resourceField: 'listener' },
      { field: 'dynamic_warming_listeners', state: 'warming', resourceField: 'listener' },
      { field: 'dynamic_draining_listeners', state: 'draining', resourceField: 'listener' },
    ],
  },
  RoutesConfigDump: {
    kind: 'routes',
    collection: 'routes',
    messageType: V3.route,
    lists: [
      { field: 'static_route_configs', state: 'static', resourceField: 'route_config' },
      { field: 'dynamic_route_configs', state: 'active', resourceField: 'route_config' },
    ],
  },
  ScopedRoutesConfigDump: {
    kind: 'scopedRoutes',
    collection: 'scopedRoutes',
    messageType: '',
    lists: [
      { field: 'inline_scoped_route_configs', state: 'static', resourceField: '' },
      { field: 'dynamic_scoped_route_configs', state: 'active', resourceField: '' },
    ],
  },
  EndpointsConfigDump: {
    kind: 'endpoints',
    collection: 'endpoints',
    messageType: V3.endpoint,
    lists: [
      { field: 'static_endpoint_configs', state: 'static', resourceField: 'endpoint_config' },
      { field: 'dynamic_endpoint_configs', state: 'active', resourceField: 'endpoint_config' },
    ],
  },
  SecretsConfigDump: {
    kind: 'secrets',
    collection: 'secrets',
    messageType: V3.secret,
    lists: [
      { field: 'static_secrets', state: 'static', resourceField: 'secret' },
      { field: 'dynamic_active_secrets', state: 'active', resourceField: 'secret' },
      { field: 'dynamic_warming_secrets', state: 'warming', resourceField: 'secret' },
    ],
  },
  EcdsConfigDump: {
    kind: 'ecds',
    collection: 'ecds',
    messageType: V3.extension,
    lists: [{ field: 'ecds_filters', state: 'active', resourceField: 'ecds_filter' }],
  },
};

/** `?resource=` output: each element of a repeated field packed as its own Any. */
const ELEMENT_WRAPPERS: Record<string, { section: string; state: ResourceState; resourceField: string }> = {
  'ClustersConfigDump.StaticCluster': { section: 'ClustersConfigDump', state: 'static', resourceField: 'cluster' },
  'ClustersConfigDump.DynamicCluster': { section: 'ClustersConfigDump', state: 'active', resourceField: 'cluster' },
  'ListenersConfigDump.StaticListener': { section: 'ListenersConfigDump', state: 'static', resourceField: 'listener' },
  'ListenersConfigDump.DynamicListener': { section: 'ListenersConfigDump', state: 'active', resourceField: '' },
  'RoutesConfigDump.StaticRouteConfig': { section: 'RoutesConfigDump', state: 'static', resourceField: 'route_config' },
  'RoutesConfigDump.DynamicRouteConfig': { section: 'RoutesConfigDump', state: 'active', resourceField: 'route_config' },
  'ScopedRoutesConfigDump.InlineScopedRouteConfigs': { section: 'ScopedRoutesConfigDump', state: 'static', resourceField: '' },
  'ScopedRoutesConfigDump.DynamicScopedRouteConfigs': { section: 'ScopedRoutesConfigDump', state: 'active', resourceField: '' },
  'EndpointsConfigDump.StaticEndpointConfig': { section: 'EndpointsConfigDump', state: 'static', resourceField: 'endpoint_config' },
  'EndpointsConfigDump.DynamicEndpointConfig': { section: 'EndpointsConfigDump', state: 'active', resourceField: 'endpoint_config' },
  'SecretsConfigDump.StaticSecret': { section: 'SecretsConfigDump', state: 'static', resourceField: 'secret' },
  'SecretsConfigDump.DynamicSecret': { section: 'SecretsConfigDump', state: 'active', resourceField: 'secret' },
  'EcdsConfigDump.EcdsFilterConfig': { section: 'EcdsConfigDump', state: 'active', resourceField: 'ecds_filter' },
};

/** Bare resources (istiod `/debug/config_dump?types=`, edsz ≥ 1.25): v3 message name → collection. */
const BARE_RESOURCES: Record<string, Collection> = {
  [V3.listener]: 'listeners',
  [V3.cluster]: 'clusters',
  [V3.route]: 'routes',
  [V3.scopedRoute]: 'scopedRoutes',
  [V3.endpoint]: 'endpoints',
  [V3.secret]: 'secrets',
  [V3.extension]: 'ecds',
};

/** The map keys of the Envoy ≤ 1.7 `configs` object ("config tracker" names). */
const TRACKER_KEYS = new Set(['bootstrap', 'clusters', 'listeners', 'routes', 'scoped_routes', 'secrets', 'endpoints']);

function emptyConfigDump(): ConfigDump {
  return {
    sections: new Set(),
    listeners: [],
    clusters: [],
    routes: [],
    scopedRoutes: [],
    endpoints: [],
    secrets: [],
    ecds: [],
    unknown: [],
  };
}

/**
 * Decodes parsed JSON into a ConfigDump. `source` names the input in error messages.
 * Throws DataError when the JSON is not a config dump at all; unknown section and resource types are kept.
 * With `only`, the resources of other sections are skipped (their presence is still recorded):
 * a command that shows routes need not decode ten thousand listeners. `firstIndex` numbers the
 * `configs` elements in paths when they are decoded one by one.
 */
export function decodeConfigDump(json: unknown, source: string, only?: ReadonlySet<SectionKind>, firstIndex = 0): ConfigDump {
  const dump = emptyConfigDump();
  const wanted = (kind: SectionKind): boolean => {
    dump.sections.add(kind);
    return only === undefined || only.has(kind);
  };
  const decoding: Decoding = { dump, wanted, source };
  if (isClusterLoadAssignmentArray(json)) {
    // Pilot/istiod `/debug/edsz` (1.0–1.24): a bare array of ClusterLoadAssignment.
    if (!wanted('endpoints')) return dump;
    for (const [index, cla] of json.entries()) dump.endpoints.push(entry(decoding, `[${index}]`, 'active', cla, V3.endpoint, undefined, {}));
    return dump;
  }
  const holders = findConfigsHolders(json, '');
  if (holders.length === 0) {
    throw new DataError(source, notADumpReason(json));
  }
  for (const { configs, path } of holders) {
    const elements: [string, unknown][] = Array.isArray(configs)
      ? configs.map((element, index) => [`${path}[${firstIndex + index}]`, element])
      : Object.entries(configs)
          .filter(([key]) => TRACKER_KEYS.has(key))
          .map(([key, value]) => [`${path}.${key}`, value]);
    for (const [at, element] of elements) {
      if (!isObj(element)) throw new DataError(source, `${at}: expected an object (a section with its "@type"), found ${describeJsonValue(element)}`);
      decodeConfig(decoding, at, element);
    }
  }
  return dump;
}

/** What every step of one decode shares. Paths (`configs[2].dynamic_active_clusters[7]`) name faults. */
interface Decoding {
  dump: ConfigDump;
  wanted: (kind: SectionKind) => boolean;
  source: string;
}

/** What a `configs` element of a given `@type` is: a whole section, one wrapped element, or a bare resource. */
type ConfigType =
  | { form: 'section'; spec: SectionSpec }
  | { form: 'element'; spec: SectionSpec; state: ResourceState; resourceField: string }
  | { form: 'bare'; kind: Collection; messageType: string };

/** Own properties only: a `@type` such as `envoy.admin.v3.constructor` must not find Object's. */
function lookup<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function classifyType(typeUrl: string): ConfigType | undefined {
  const shortType = typeUrl.replace(/^.*\//, '');
  const adminName = shortType.replace(/^envoy\.admin\.(v2alpha|v3)\./, '');
  if (adminName !== shortType) {
    const section = lookup(SECTIONS, adminName);
    if (section) return { form: 'section', spec: section };
    const wrapper = lookup(ELEMENT_WRAPPERS, adminName);
    const spec = wrapper && lookup(SECTIONS, wrapper.section);
    if (wrapper && spec) return { form: 'element', spec, state: wrapper.state, resourceField: wrapper.resourceField };
  }
  const messageType = messageTypeFromUrl(typeUrl);
  const bare = lookup(BARE_RESOURCES, messageType);
  return bare ? { form: 'bare', kind: bare, messageType } : undefined;
}

/** The section a `configs` element of this `@type` is decoded into, if any (as decodeConfig reads it). */
export function sectionKindOfType(typeUrl: string): SectionKind | undefined {
  const type = classifyType(typeUrl);
  return type === undefined ? undefined : type.form === 'bare' ? type.kind : type.spec.kind;
}

function decodeConfig(decoding: Decoding, at: string, config: Obj): void {
  const { dump, wanted } = decoding;
  const typeUrl = typeof config['@type'] === 'string' ? config['@type'] : '';
  const type = classifyType(typeUrl);
  switch (type?.form) {
    case undefined:
      dump.unknown.push(config);
      return;
    case 'section':
      if (wanted(type.spec.kind)) decodeSection(decoding, at, type.spec, config);
      return;
    case 'element':
      if (wanted(type.spec.kind)) decodeElement(decoding, at, type.spec, { field: '', state: type.state, resourceField: type.resourceField }, config);
      return;
    case 'bare':
      if (wanted(type.kind)) pushEntry(dump, type.kind, entry(decoding, at, 'active', config, type.messageType, typeUrl, {}));
      return;
  }
}

function decodeSection(decoding: Decoding, at: string, spec: SectionSpec, section: Obj): void {
  if (spec.collection === 'bootstrap') {
    // A bootstrap that is not an object leaves the section unusable: the command says so.
    const bootstrap = protoField(section, 'bootstrap');
    if (isObj(bootstrap)) {
      decoding.dump.bootstrap = entry(decoding, `${at}.bootstrap`, 'static', bootstrap, V3.bootstrap, undefined, wrapperFields(section, 'bootstrap'));
    }
    return;
  }
  const lists = spec.kind === 'listeners' ? [...spec.lists, DYNAMIC_LISTENERS] : spec.lists;
  for (const list of lists) {
    for (const [path, element] of listElements(decoding, `${at}.${list.field}`, protoField(section, list.field))) {
      decodeElement(decoding, path, spec, list, element);
    }
  }
}

/** v3's dynamic_listeners: each element a DynamicListener (decoded by decodeDynamicListener). */
const DYNAMIC_LISTENERS: ListSpec = { field: 'dynamic_listeners', state: 'active', resourceField: '' };

/** The objects of a repeated field (absent or null: none), each with its path. */
function listElements(decoding: Decoding, at: string, value: unknown): [string, Obj][] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new DataError(decoding.source, `${at}: expected an array, found ${describeJsonValue(value)}`);
  return value.map((element: unknown, index): [string, Obj] => {
    if (!isObj(element)) throw new DataError(decoding.source, `${at}[${index}]: expected an object, found ${describeJsonValue(element)}`);
    return [`${at}[${index}]`, element];
  });
}

function decodeElement(decoding: Decoding, at: string, spec: SectionSpec, list: ListSpec, element: Obj): void {
  const { dump } = decoding;
  if (spec.kind === 'listeners' && list.resourceField === '') {
    decodeDynamicListener(decoding, at, element);
    return;
  }
  if (spec.collection === 'bootstrap') return;
  if (spec.kind === 'scopedRoutes') {
    // The element itself is the resource: {name, scoped_route_configs[Any], last_updated, …}.
    const canonical = needsCanonicalizing(element) ? (canonicalize(element, scopedRoutesWrapperType(list.state)) as Obj) : element;
    checkShape(canonical, scopedRoutesWrapperType(list.state), at, decoding.source);
    pushEntry(dump, 'scopedRoutes', {
      state: list.state,
      resource: canonical,
      messageType: scopedRoutesWrapperType(list.state),
      ...optionalString('versionInfo', protoField(canonical, 'version_info')),
      ...optionalString('lastUpdated', protoField(canonical, 'last_updated')),
      wrapper: {},
    });
    return;
  }
  const resource = protoField(element, list.resourceField);
  if (resource !== undefined && resource !== null && !isObj(resource)) {
    throw new DataError(decoding.source, `${at}.${list.resourceField}: expected an object, found ${describeJsonValue(resource)}`);
  }
  if (!isObj(resource)) {
    // A wrapper without its resource (masked output, or an error_state-only entry) still tells us
    // the resource exists; keep it so nothing is silently dropped.
    if (Object.keys(element).some((key) => key !== '@type')) {
      const state = protoField(element, 'error_state') !== undefined ? 'error' : list.state;
      pushEntry(dump, spec.collection, entry(decoding, at, state, {}, spec.messageType, undefined, wrapperFields(element, list.resourceField)));
    }
    return;
  }
  const wrapper = wrapperFields(element, list.resourceField);
  pushEntry(dump, spec.collection, entry(decoding, `${at}.${list.resourceField}`, list.state, resource, spec.messageType, undefined, wrapper));
}

/** v3 DynamicListener: one name with up to three states (and an error state) side by side. */
function decodeDynamicListener(decoding: Decoding, at: string, element: Obj): void {
  const { dump } = decoding;
  const wrapper = wrapperFields(element, '');
  delete wrapper['active_state'];
  delete wrapper['warming_state'];
  delete wrapper['draining_state'];
  let found = false;
  for (const [stateField, state] of [
    ['active_state', 'active'],
    ['warming_state', 'warming'],
    ['draining_state', 'draining'],
  ] as const) {
    const holder = protoField(element, stateField);
    if (holder === undefined || holder === null) continue;
    if (!isObj(holder)) throw new DataError(decoding.source, `${at}.${stateField}: expected an object, found ${describeJsonValue(holder)}`);
    const listener = protoField(holder, 'listener');
    if (listener === undefined || listener === null) continue;
    const path = `${at}.${stateField}.listener`;
    if (!isObj(listener)) throw new DataError(decoding.source, `${path}: expected an object, found ${describeJsonValue(listener)}`);
    found = true;
    pushEntry(dump, 'listeners', entry(decoding, path, state, listener, V3.listener, undefined, { ...wrapper, ...wrapperFields(holder, 'listener') }));
  }
  if (!found && protoField(element, 'error_state') !== undefined) {
    pushEntry(dump, 'listeners', entry(decoding, at, 'error', {}, V3.listener, undefined, wrapper));
  }
}

function entry<R extends Obj>(
  decoding: Decoding,
  at: string,
  state: ResourceState,
  resource: Obj,
  defaultMessageType: string,
  typeUrlOverride: string | undefined,
  wrapper: Obj,
): Entry<R> {
  const typeUrl = typeUrlOverride ?? (typeof resource['@type'] === 'string' ? resource['@type'] : undefined);
  const messageType = typeUrl ? messageTypeFromUrl(typeUrl) : defaultMessageType;
  const canonical = (needsCanonicalizing(resource) ? canonicalize(resource, messageType) : resource) as R;
  checkShape(canonical, messageType, at, decoding.source);
  const result: Entry<R> = { state, resource: canonical, messageType, wrapper };
  if (typeUrl) result.typeUrl = typeUrl;
  const versionInfo = wrapper['version_info'];
  if (typeof versionInfo === 'string') result.versionInfo = versionInfo;
  const lastUpdated = wrapper['last_updated'];
  if (typeof lastUpdated === 'string') result.lastUpdated = lastUpdated;
  return result;
}

function pushEntry(dump: ConfigDump, collection: Collection, item: Entry<Obj>): void {
  (dump[collection] as Entry<Obj>[]).push(item);
}

function scopedRoutesWrapperType(state: ResourceState): string {
  return state === 'static'
    ? 'envoy.admin.v3.ScopedRoutesConfigDump.InlineScopedRouteConfigs'
    : 'envoy.admin.v3.ScopedRoutesConfigDump.DynamicScopedRouteConfigs';
}

/**
 * Envoy writes proto field names (snake_case); istiod, Pilot and Go tools write lowerCamelCase.
 * Which one a resource uses shows in its first multi-word field name, found breadth-first so that
 * message fields are seen before Struct contents (`ISTIO_VERSION`-style keys are no evidence).
 * Only camelCase resources pay for the schema walk, which keeps big Envoy dumps as cheap as JSON.parse.
 */
function needsCanonicalizing(resource: Obj): boolean {
  const queue: unknown[] = [resource];
  for (let i = 0; i < queue.length; i++) {
    const value = queue[i];
    if (Array.isArray(value)) {
      for (const item of value) queue.push(item); // not push(...value): a 500k-element spread overflows the stack
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    for (const key of Object.keys(value)) {
      if (SNAKE_FIELD.test(key)) return false;
      if (CAMEL_FIELD.test(key)) return true;
      queue.push((value as Obj)[key]);
    }
  }
  return false;
}

const SNAKE_FIELD = /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/;
const CAMEL_FIELD = /^[a-z][a-z0-9]*[A-Z]/;

/** Wrapper fields in canonical spelling, without the resource itself. */
function wrapperFields(element: Obj, resourceField: string): Obj {
  const out: Obj = {};
  // for…in, not Object.entries: no pair arrays for each of a big dump's resources (parsed JSON has
  // no inherited enumerable keys).
  for (const key in element) {
    if (key === '@type') continue;
    const canonical = snakeOfKnownField(key);
    if (canonical === resourceField) continue;
    out[canonical] = element[key];
  }
  return out;
}

/** Wrapper field names are few and fixed; map their json_name back to the proto name. */
const WRAPPER_FIELDS = [
  'version_info',
  'last_updated',
  'error_state',
  'client_status',
  'name',
  'active_state',
  'warming_state',
  'draining_state',
  'route_config',
  'endpoint_config',
  'ecds_filter',
  'scoped_route_configs',
];
const SNAKE_OF_CAMEL = new Map(WRAPPER_FIELDS.map((name) => [jsonName(name), name]));

function snakeOfKnownField(key: string): string {
  return SNAKE_OF_CAMEL.get(key) ?? key;
}

function optionalString<K extends string>(key: K, value: unknown): { [P in K]?: string } {
  return (typeof value === 'string' ? { [key]: value } : {}) as { [P in K]?: string };
}

/**
 * Every `configs` holder in the input: the dump itself, or the dumps nested one or two levels
 * down in egctl's wrapped output (`{ns: {name: {configs}}}`, `{xds: {"ns/name": {configs}}}`).
 */
function findConfigsHolders(json: unknown, path: string, depth = 0): { configs: unknown[] | Obj; path: string }[] {
  if (!isObj(json)) return [];
  const configs = json['configs'];
  // An empty map, like an empty array, is a dump with no sections (a missing section, not bad data).
  if (Array.isArray(configs) || (isObj(configs) && (Object.keys(configs).length === 0 || Object.keys(configs).some((k) => TRACKER_KEYS.has(k))))) {
    return [{ configs, path: `${path}configs` }];
  }
  if (depth >= 2) return [];
  return Object.entries(json).flatMap(([key, value]) => findConfigsHolders(value, `${path}${JSON.stringify(key)}.`, depth + 1));
}

function isClusterLoadAssignmentArray(json: unknown): json is Obj[] {
  return (
    Array.isArray(json) &&
    json.length > 0 &&
    json.every((item) => isObj(item) && (typeof item['clusterName'] === 'string' || typeof item['cluster_name'] === 'string'))
  );
}

function notADumpReason(json: unknown): string {
  if (Array.isArray(json)) {
    return json.length === 0
      ? 'is an empty JSON array, not an Envoy config dump'
      : 'is a JSON array but not Pilot /debug/edsz output (an array of ClusterLoadAssignment); not an Envoy config dump';
  }
  if (!isObj(json)) return `is JSON ${json === null ? 'null' : typeof json}, not an Envoy config dump`;
  if (Object.hasOwn(json, 'configs')) {
    return `is not an Envoy config dump: its "configs" is ${describeJsonValue(json['configs'])}, not an array of sections (or a map of them)`;
  }
  const keys = Object.keys(json)
    .slice(0, 3)
    .map((k) => quoted(k, 40))
    .join(', ');
  return `is not an Envoy config dump: expected a "configs" field, found ${keys || 'an empty object'}`;
}
