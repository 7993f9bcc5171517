// Serialises the filtered models for `-o json`, `-o yaml` and `-o raw`. Tables live in views/.
import { createRequire } from 'node:module';
import type { Entry, Obj } from '../envoy/model.ts';
import { toProtoJson } from '../envoy/protojson.ts';
import { jsonChunks } from './stream.ts';

export const OUTPUT_FORMATS = ['short', 'wide', 'table', 'json', 'yaml', 'raw'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * `short` is istioctl's tabwriter layout; `wide` adds columns in the same layout (kubectl's
 * convention); `table` draws the short table's rows in boxes.
 */
export function isTabular(format: OutputFormat): format is 'short' | 'wide' | 'table' {
  return format === 'short' || format === 'wide' || format === 'table';
}

/**
 * istioctl's proto3 JSON of one resource: lowerCamelCase field names, map/Struct keys untouched,
 * and no top-level `@type` (the elements of istioctl's arrays are bare messages).
 */
export function protoJsonOf(entry: Entry<Obj>): Obj {
  const json = toProtoJson(entry.resource, entry.messageType) as Obj;
  if (!('@type' in json)) return json;
  const { '@type': _dropped, ...bare } = json;
  return bare;
}

/** Envoy's own objects: proto field names (snake_case), exactly the fields the dump had. */
export function rawOf(entry: Entry<Obj>): Obj {
  return entry.resource;
}

/** Rebuilds an admin dump section (SecretsConfigDump, EcdsConfigDump, …) from its entries. */
export function sectionOf(lists: Record<string, Entry<Obj>[]>, resourceField: string): Obj {
  const section: Obj = {};
  for (const [listField, entries] of Object.entries(lists)) {
    if (entries.length === 0) continue;
    section[listField] = entries.map((entry) => ({ ...entry.wrapper, [resourceField]: entry.resource }));
  }
  return section;
}

export function formatJson(value: unknown): string {
  // Four spaces, as istioctl and kubectl indent their JSON; written without recursion.
  return [...jsonChunks(value)].join('');
}

/** The YAML library, loaded on first use: table and JSON output should not pay its start-up cost. */
export function loadYaml(): typeof import('yaml') {
  return createRequire(import.meta.url)('yaml') as typeof import('yaml');
}

export function formatYaml(value: unknown): string {
  if (Array.isArray(value) && value.length === 0) return '[]\n';
  return loadYaml().stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Serialises data for a machine-readable format: json/raw print JSON, yaml prints YAML. */
export function formatData(value: unknown, format: 'json' | 'yaml' | 'raw'): string {
  return format === 'yaml' ? formatYaml(value) : formatJson(value);
}
