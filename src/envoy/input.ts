// Turns the text of a saved input into decoded data, recognising what it is from its content:
// a config dump (any generation), Envoy's `/clusters?format=json`, or Pilot's `/debug/edsz`.
import { DataError } from '../errors.ts';
import { decodeClustersStatus, looksLikeClustersStatus } from './clustersStatus.ts';
import { decodeConfigDump, sectionKindOfType } from './decode.ts';
import type { ClusterLoadAssignment, ClustersStatus, ConfigDump, Entry, SectionKind } from './model.ts';
import { sliceConfigs } from './sections.ts';

/** `json` is the input as parsed; with `only`, sections left out are `{"@type"}` stubs. */
export type DecodedInput =
  | { kind: 'config_dump'; dump: ConfigDump; json: unknown }
  | {
      kind: 'clusters';
      clusters: ClustersStatus;
      json: unknown;
      /** The same proxy's EDS assignments, when fetched too (live `pc endpoint -o wide`: workload metadata). */
      eds?: Entry<ClusterLoadAssignment>[];
    };

export function parseJson(text: string, source: string): unknown {
  if (text.trim() === '') throw new DataError(source, 'is empty');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DataError(source, describeJsonError(text, (error as Error).message));
  }
}

export interface DecodeOptions {
  /** The sections the caller will show; the others are recognised but neither parsed nor decoded. */
  only?: ReadonlySet<SectionKind> | undefined;
  /**
   * From this size on, only the shown sections are parsed. Below it one native JSON.parse is
   * faster than scanning the bytes, which runs before the JIT has warmed up.
   */
  sliceFromBytes?: number;
}

const SLICE_FROM_BYTES = 2 * 1024 * 1024;

/** Decodes a saved input's bytes (or text), recognising what it is from its content. */
export function decodeInput(input: Buffer | string, source: string, options: DecodeOptions = {}): DecodedInput {
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  const { only, sliceFromBytes = SLICE_FROM_BYTES } = options;
  const partial = only && bytes.length >= sliceFromBytes ? parseShownSections(bytes, only) : undefined;
  return decodeJson(partial ?? parseJson(bytes.toString('utf8'), source), source, only);
}

/**
 * Parses only the `configs` elements of the shown sections (and of unknown types); the others
 * become `{"@type": …}` stubs so their presence is still known. Undefined when the input is not a
 * plain `{"configs": [...]}` dump or does not parse: the caller then parses it whole, which also
 * words the error for a broken file. A fault inside a section that is not shown goes unnoticed.
 */
function parseShownSections(bytes: Buffer, only: ReadonlySet<SectionKind>): unknown {
  const slices = sliceConfigs(bytes);
  if (!slices) return undefined;
  try {
    const configs = slices.map(({ start, end, typeUrl }) => {
      const kind = typeUrl === undefined ? undefined : sectionKindOfType(typeUrl);
      return kind !== undefined && !only.has(kind) ? { '@type': typeUrl } : (JSON.parse(bytes.toString('utf8', start, end)) as unknown);
    });
    return { configs };
  } catch {
    return undefined;
  }
}

/** For JSON that is already parsed (a live answer); recognises what it is like decodeInput. */
export function decodeJson(json: unknown, source: string, only?: ReadonlySet<SectionKind>): DecodedInput {
  if (looksLikeClustersStatus(json)) {
    return { kind: 'clusters', clusters: decodeClustersStatus(json), json };
  }
  return { kind: 'config_dump', dump: decodeConfigDump(json, source, only), json };
}

function describeJsonError(text: string, message: string): string {
  if (/unexpected end|unterminated|end of (json )?(data|input)/i.test(message)) {
    return `is truncated: the JSON ends before it is complete (${message})`;
  }
  const start = text.trimStart();
  if (start.startsWith('{') && /^\{\s*'/.test(start)) {
    return 'is not valid JSON: it uses single-quoted strings (a Python dict printed with print()?); save the dump with json.dump or curl instead';
  }
  if (start.startsWith('<')) return 'is not valid JSON: it looks like HTML or XML';
  return `is not valid JSON (${message})`;
}
