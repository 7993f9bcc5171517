// A waypoint's listeners: `main_internal` and friends pick their filter chain with a
// `filter_chain_matcher` (destination IP → port → chain, …), which the classic listener table shows
// as ALL. This walks the matcher tree into one readable path per chain: `ip=10.96.1.2 -> port=9080`.
import { isObj, type Obj } from '../envoy/model.ts';
import { protoField } from '../util/protoField.ts';

export const asObj = (value: unknown): Obj => (isObj(value) ? value : {});

/** The chain an `on_match` / `on_no_match` action names: a StringValue with the chain's name. */
export function actionChain(onMatch: Obj): string | undefined {
  const action = asObj(protoField(onMatch, 'action'));
  const value = asObj(protoField(action, 'typed_config'))['value'];
  if (typeof value === 'string') return value;
  return typeof action['name'] === 'string' ? action['name'] : undefined;
}

/** A matcher input's short label: its `name`, else its type without `Input` (`DestinationIP`). */
export function inputLabel(input: Obj): string {
  if (typeof input['name'] === 'string' && input['name'] !== '') return input['name'];
  return inputKind(input).replace(/Input$/, '') || 'input';
}

/** The input's type name: `DestinationIPInput`, `DestinationPortInput` … */
export function inputKind(input: Obj): string {
  const type = String(asObj(protoField(input, 'typed_config'))['@type'] ?? '');
  return type.slice(type.lastIndexOf('.') + 1);
}

/** A CidrRange; the prefix length defaults to the whole address. */
export function cidrOf(range: Obj): { prefix: string; length: number; single: boolean } {
  const prefix = String(protoField(range, 'address_prefix') ?? '');
  const whole = prefix.includes(':') ? 128 : 32;
  const length = Number(protoField(range, 'prefix_len') ?? whole);
  return { prefix, length, single: length === whole };
}

/** The label `on_no_match` gives its step: at the top of the tree, or below a matched condition. */
export const noMatchLabel = (depth: number): string => (depth === 0 ? 'UNMATCHED' : 'ANY');

/**
 * Every (chain, match path) the matcher leads to, in the matcher's order (map keys sorted), with the
 * single addresses its IP ranges name on the way (a waypoint's service VIPs).
 */
export function matcherPaths(matcher: Obj): { chain: string; match: string; addresses: string[] }[] {
  const found: { chain: string; match: string; addresses: string[] }[] = [];
  const visit = (m: Obj, path: string[], addresses: string[]): void => {
    const tree = asObj(protoField(m, 'matcher_tree'));
    const input = inputLabel(asObj(protoField(tree, 'input')));
    const branches: { condition: string; onMatch: Obj; addresses: string[] }[] = [];
    for (const [mapField, operator] of [
      ['exact_match_map', '='],
      ['prefix_match_map', '^'],
    ] as const) {
      const map = asObj(protoField(asObj(protoField(tree, mapField)), 'map'));
      for (const key of Object.keys(map).sort()) branches.push({ condition: `${input}${operator}${key}`, onMatch: asObj(map[key]), addresses });
    }
    const custom = asObj(protoField(asObj(protoField(tree, 'custom_match')), 'typed_config'));
    for (const rangeMatcher of (protoField(custom, 'range_matchers') as unknown[] | undefined) ?? []) {
      const ranges = ((protoField(asObj(rangeMatcher), 'ranges') as unknown[] | undefined) ?? []).map((r) => cidrOf(asObj(r)));
      // `10.1.2.3/32` reads as `10.1.2.3` (a single address), other ranges keep their length.
      const text = ranges.map(({ prefix, length, single }) => (single ? prefix : `${prefix}/${length}`)).join(',');
      const singles = ranges.filter(({ single }) => single).map(({ prefix }) => prefix);
      branches.push({ condition: `${input}=${text}`, onMatch: asObj(protoField(asObj(rangeMatcher), 'on_match')), addresses: [...addresses, ...singles] });
    }
    for (const branch of branches) follow(branch.onMatch, [...path, branch.condition], branch.addresses);
    const noMatch = protoField(m, 'on_no_match');
    if (isObj(noMatch)) follow(noMatch, [...path, noMatchLabel(path.length)], addresses);
  };
  const follow = (onMatch: Obj, path: string[], addresses: string[]): void => {
    const nested = protoField(onMatch, 'matcher');
    if (isObj(nested)) {
      visit(nested, path, addresses);
      return;
    }
    const chain = actionChain(onMatch);
    if (chain !== undefined) found.push({ chain, match: path.join(' -> '), addresses });
  };
  visit(matcher, [], []);
  return found;
}
