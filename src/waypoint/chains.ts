// A waypoint's listeners: `main_internal` and friends pick their filter chain with a
// `filter_chain_matcher` (destination IP → port → chain, …), which the classic listener table shows
// as ALL. This walks the matcher tree into one readable path per chain: `ip=10.96.1.2 -> port=9080`.
import { isObj, type Obj } from '../envoy/model.ts';
import { protoField } from '../util/protoField.ts';

const asObj = (value: unknown): Obj => (isObj(value) ? value : {});

/** The chain an `on_match` / `on_no_match` action names: a StringValue with the chain's name. */
function actionChain(onMatch: Obj): string | undefined {
  const action = asObj(protoField(onMatch, 'action'));
  const value = asObj(protoField(action, 'typed_config'))['value'];
  if (typeof value === 'string') return value;
  return typeof action['name'] === 'string' ? action['name'] : undefined;
}

function inputName(tree: Obj): string {
  const input = asObj(protoField(tree, 'input'));
  if (typeof input['name'] === 'string' && input['name'] !== '') return input['name'];
  const type = String(asObj(protoField(input, 'typed_config'))['@type'] ?? '');
  return type.slice(type.lastIndexOf('.') + 1).replace(/Input$/, '') || 'input';
}

/** `10.1.2.3/32` reads as `10.1.2.3` (a single address), other ranges keep their length. */
function rangeText(range: Obj): string {
  const prefix = String(protoField(range, 'address_prefix') ?? '');
  const length = Number(protoField(range, 'prefix_len') ?? (prefix.includes(':') ? 128 : 32));
  return length === (prefix.includes(':') ? 128 : 32) ? prefix : `${prefix}/${length}`;
}

/** Every (chain, match path) the matcher leads to, in the matcher's order (map keys sorted). */
export function matcherPaths(matcher: Obj): { chain: string; match: string }[] {
  const found: { chain: string; match: string }[] = [];
  const visit = (m: Obj, path: string[]): void => {
    const tree = asObj(protoField(m, 'matcher_tree'));
    const input = inputName(tree);
    const branches: [string, Obj][] = [];
    for (const [mapField, operator] of [
      ['exact_match_map', '='],
      ['prefix_match_map', '^'],
    ] as const) {
      const map = asObj(protoField(asObj(protoField(tree, mapField)), 'map'));
      for (const key of Object.keys(map).sort()) branches.push([`${input}${operator}${key}`, asObj(map[key])]);
    }
    const custom = asObj(protoField(asObj(protoField(tree, 'custom_match')), 'typed_config'));
    for (const rangeMatcher of (protoField(custom, 'range_matchers') as unknown[] | undefined) ?? []) {
      const ranges = ((protoField(asObj(rangeMatcher), 'ranges') as unknown[] | undefined) ?? []).map((r) => rangeText(asObj(r)));
      branches.push([`${input}=${ranges.join(',')}`, asObj(protoField(asObj(rangeMatcher), 'on_match'))]);
    }
    for (const [condition, onMatch] of branches) follow(onMatch, [...path, condition]);
    const noMatch = protoField(m, 'on_no_match');
    if (isObj(noMatch)) follow(noMatch, [...path, path.length === 0 ? 'UNMATCHED' : 'ANY']);
  };
  const follow = (onMatch: Obj, path: string[]): void => {
    const nested = protoField(onMatch, 'matcher');
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
