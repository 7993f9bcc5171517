/**
 * `list[index]` for an index the caller has already bounded: with noUncheckedIndexedAccess the
 * type says `T | undefined`, and this turns a broken invariant into a loud error instead of a `!`.
 */
export function at<T>(list: ArrayLike<T>, index: number): T {
  const item = list[index];
  if (item === undefined && !(index >= 0 && index < list.length)) {
    throw new RangeError(`index ${index} is outside 0..${list.length - 1}`);
  }
  return item as T;
}
