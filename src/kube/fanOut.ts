// -l/--selector runs a command on many pods: a few at a time, and one pod's failure does not hide
// the others' results.

import { at } from '../util/at.ts';

export type Settled<T, R> = { item: T; ok: true; value: R } | { item: T; ok: false; error: unknown };

/**
 * Runs `work` on every item with at most `limit` in flight; results keep the items' order.
 * `onSettled` hears of each item as it is done (for a progress line).
 */
export async function settleEach<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
  onSettled?: (settled: number, total: number) => void,
): Promise<Settled<T, R>[]> {
  const results: Settled<T, R>[] = new Array(items.length);
  let next = 0;
  let settled = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = at(items, index);
      try {
        results[index] = { item, ok: true, value: await work(item) };
      } catch (error) {
        results[index] = { item, ok: false, error };
      }
      onSettled?.(++settled, items.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
