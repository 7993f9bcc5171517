// Go compares strings bytewise (UTF-8), which is code point order; JS `<` compares UTF-16 units,
// which ranks astral characters (surrogates, 0xD800–0xDFFF) below U+E000–U+FFFF. Shifting the
// units at the first difference restores code point order, so sorts match istioctl's exactly.
export function compareGoStrings(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  return unit >= 0xe000 ? unit - 0x800 : unit;
}

const BEYOND_SURROGATES = /[\uD800-\uFFFF]/;

/**
 * The comparison to sort `strings` in Go's order with: JS's own, which costs less, when none of them
 * has a unit from the surrogates up (below them, unit order is code point order).
 */
export function goStringOrder(strings: Iterable<string>): (a: string, b: string) => number {
  for (const text of strings) if (BEYOND_SURROGATES.test(text)) return compareGoStrings;
  return compareUnits;
}

function compareUnits(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}
