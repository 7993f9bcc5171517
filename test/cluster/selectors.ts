// Label and field selectors as the API server parses them (apimachinery `labels.Parse` and
// `fields.ParseSelector`): `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`.

export class SelectorError extends Error {}

interface Requirement {
  key: string;
  operator: '=' | '!=' | 'in' | 'notin' | 'exists' | '!exists';
  values: string[];
}

export type Selector = (labels: Readonly<Record<string, string>>) => boolean;

const KEY = '[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?';
const VALUE = '(?:[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?';
const SET_TERM = new RegExp(String.raw`^(${KEY})\s+(in|notin)\s*\((.*)\)$`);
const EQUALITY_TERM = new RegExp(String.raw`^(${KEY})\s*(==|=|!=)\s*(${VALUE})$`);
const EXISTS_TERM = new RegExp(String.raw`^(!?)\s*(${KEY})$`);

/** Splits at the commas that are not inside a `(…)` value list. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((term) => term.trim());
}

function parseRequirement(term: string): Requirement {
  const set = SET_TERM.exec(term);
  if (set) {
    const values = set[4]!.split(',').map((value) => value.trim());
    return { key: set[1]!, operator: set[3] as 'in' | 'notin', values };
  }
  const equality = EQUALITY_TERM.exec(term);
  if (equality) {
    return { key: equality[1]!, operator: equality[3] === '!=' ? '!=' : '=', values: [equality[4]!] };
  }
  const exists = EXISTS_TERM.exec(term);
  if (exists) return { key: exists[2]!, operator: exists[1] ? '!exists' : 'exists', values: [] };
  throw new SelectorError(`unable to parse requirement: found '${term}', expected: identifier`);
}

function satisfies(requirement: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const value = Object.hasOwn(labels, requirement.key) ? labels[requirement.key] : undefined;
  switch (requirement.operator) {
    case '=':
    case 'in':
      return value !== undefined && requirement.values.includes(value);
    case '!=':
    case 'notin':
      return value === undefined || !requirement.values.includes(value);
    case 'exists':
      return value !== undefined;
    case '!exists':
      return value === undefined;
  }
}

export function parseLabelSelector(text: string | null): Selector {
  if (text === null || text.trim() === '') return () => true;
  const requirements = splitTerms(text).map(parseRequirement);
  return (labels) => requirements.every((requirement) => satisfies(requirement, labels));
}

/**
 * A field selector over the fields a resource exposes (`metadata.name`, `status.phase`, …): only
 * `=`, `==` and `!=`, like the API server. Unknown fields are refused as the API server does.
 */
export function parseFieldSelector(text: string | null, knownFields: readonly string[]): Selector {
  if (text === null || text.trim() === '') return () => true;
  const requirements = splitTerms(text).map((term) => {
    const match = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!match) throw new SelectorError(`invalid selector: '${text}'; can't understand '${term}'`);
    const key = match[1]!;
    if (!knownFields.includes(key)) throw new SelectorError(`field label not supported: ${key}`);
    return { key, operator: match[2] === '!=' ? '!=' : '=', values: [match[3]!] } satisfies Requirement;
  });
  return (fields) => requirements.every((requirement) => satisfies(requirement, fields));
}
