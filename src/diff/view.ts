// How a comparison prints: per kind istioctl's "<Kind> Match" / "<Kind> Don't Match", then each
// resource that differs (only in one side, or changed with its paths and a unified diff); or the
// same as data for -o json/yaml.
import { KIND_TITLE, type KindDiff } from './compare.ts';

export interface DiffLabels {
  a: string;
  b: string;
}

export function diffText(kinds: readonly KindDiff[], labels: DiffLabels): string {
  const out: string[] = [];
  for (const kind of kinds) {
    const title = KIND_TITLE[kind.kind];
    if (kind.match) {
      out.push(`${title} Match`);
      continue;
    }
    out.push(`${title} Don't Match`);
    for (const difference of kind.differences) {
      const where = difference.change === 'only-in-a' ? `only in ${labels.a}` : difference.change === 'only-in-b' ? `only in ${labels.b}` : 'changed';
      out.push(`  ${where}: ${difference.name}`);
      if (difference.change !== 'changed') continue;
      out.push(`    paths: ${difference.paths.join(', ')}`);
      out.push(
        ...difference.unified
          .trimEnd()
          .split('\n')
          .map((line) => `    ${line}`),
      );
    }
  }
  return `${out.join('\n')}\n`;
}

/** The data behind diffText, for -o json|yaml: sides named, changes spelled out. */
export function diffData(kinds: readonly KindDiff[], labels: DiffLabels): object {
  return {
    a: labels.a,
    b: labels.b,
    match: kinds.every((kind) => kind.match),
    kinds: kinds.map((kind) => ({
      kind: kind.kind,
      match: kind.match,
      countA: kind.countA,
      countB: kind.countB,
      differences: kind.differences.map((d) => ({
        name: d.name,
        change: d.change === 'only-in-a' ? `only in ${labels.a}` : d.change === 'only-in-b' ? `only in ${labels.b}` : 'changed',
        ...(d.change === 'changed' ? { paths: d.paths, diff: d.unified } : {}),
      })),
    })),
  };
}
