// A waypoint's listeners: `main_internal` and friends pick their filter chain with a
// `filter_chain_matcher` (destination IP → port → chain, …), which the classic listener table shows
// as ALL. This walks the matcher tree into one readable path per chain: `ip=10.96.1.2 -> port=9080`.
import { isObj, type Obj } from '../envoy/model.ts';

/** Reads a field in either spelling (decoded dumps are snake_case; raw ones may be camelCase). */
function field(obj: Obj, snake: string): unknown {
  if (snake in obj) return obj[snake];
  return obj[snake.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase())];
}

const asObj = (value: unknown): Obj => (isObj(value) ? value : {});

/** The chain an `on_match` / `on_no_match` action names: a StringValue with the chain's name. */
function actionChain(onMatch: Obj): string | undefined {
  const action = asObj(field(onMatch, 'action'));
  const value = asObj(field(action, 'typed_config'))['value'];
  if (typeof value === 'string') return value;
  return typeof action['name'] === 'string' ? action['name'] : undefined;
}

function inputName(tree: Obj): string {
  const input = asObj(field(tree, 'input'));
  if (typeof input['name'] === 'string' && input['name'] !== '') return input['name'];
  const type = String(asObj(field(input, 'typed_config'))['@type'] ?? '');
  return type.slice(type.lastIndexOf('.') + 1).replace(/Input$/, '') || 'input';
}

/** `10.1.2.3/32` reads as `10.1.2.3` (a single address), other ranges keep their length. */
function rangeText(range: Obj): string {
  const prefix = String(field(range, 'address_prefix') ?? '');
  const length = Number(field(range, 'prefix_len') ?? (prefix.includes(':') ? 128 : 32));
  return length === (prefix.includes(':') ? 128 : 32) ? prefix : `${prefix}/${length}`;
}

/** Every (chain, match path) the matcher leads to, in the matcher's order (map keys sorted). */
export function matcherPaths(matcher: Obj): { chain: string; match: string }[] {
  const found: { chain: string; match: string }[] = [];
  const visit = (m: Obj, path: string[]): void => {
    const tree = asObj(field(m, 'matcher_tree'));
    const input = inputName(tree);
    const branches: [string, Obj][] = [];
    for (const [mapField, operator] of [
      ['exact_match_map', '='],
      ['prefix_match_map', '^'],
    ] as const) {
      const map = asObj(field(asObj(field(tree, mapField)), 'map'));
      for (const key of Object.keys(map).sort()) branches.push([`${input}${operator}${key}`, asObj(map[key])]);
    }
    const custom = asObj(field(asObj(field(tree, 'custom_match')), 'typed_config'));
    for (const rangeMatcher of (field(custom, 'range_matchers') as unknown[] | undefined) ?? []) {
      const ranges = ((field(asObj(rangeMatcher), 'ranges') as unknown[] | undefined) ?? []).map((r) => rangeText(asObj(r)));
      branches.push([`${input}=${ranges.join(',')}`, asObj(field(asObj(rangeMatcher), 'on_match'))]);
    }
    for (const [condition, onMatch] of branches) follow(onMatch, [...path, condition]);
    const noMatch = field(m, 'on_no_match');
    if (isObj(noMatch)) follow(noMatch, [...path, path.length === 0 ? 'UNMATCHED' : 'ANY']);
  };
  const follow = (onMatch: Obj, path: string[]): void => {
    const nested = field(onMatch, 'matcher');
    if (isObj(nested)) {
      visit(nested, path);
      return;
    }
    const chain = actionChain(onMatch);
    if (chain !== undefined) found.push({ chain, match: path.join(' -> ') });
  };
  visit(matcher, []);
  return found;
}
