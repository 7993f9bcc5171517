// Turns the text of a saved input into decoded data, recognising what it is from its content:
// a config dump (any generation), Envoy's `/clusters?format=json`, or Pilot's `/debug/edsz`.
import { DataError } from '../errors.ts';
import { decodeClustersStatus, looksLikeClustersStatus } from './clustersStatus.ts';
import { decodeConfigDump } from './decode.ts';
import type { ClustersStatus, ConfigDump, SectionKind } from './model.ts';

export type DecodedInput =
  | { kind: 'config_dump'; dump: ConfigDump; json: unknown }
  | { kind: 'clusters'; clusters: ClustersStatus; json: unknown };

export function parseJson(text: string, source: string): unknown {
  if (text.trim() === '') throw new DataError(source, 'is empty');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DataError(source, describeJsonError(text, (error as Error).message));
  }
}

/** `only`: the sections the caller will show (others are recognised but not decoded). */
export function decodeInput(text: string, source: string, only?: ReadonlySet<SectionKind>): DecodedInput {
  return decodeJson(parseJson(text, source), source, only);
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
