/**
 * `compute` remembered by its argument, for strings that recur in every object (field names, quoted
 * keys, interned values): past `max` entries it starts over, so what stopped recurring is not kept for ever.
 */
export function boundedMemo(compute: (key: string) => string, max: number): (key: string) => string {
  const kept = new Map<string, string>();
  return (key) => {
    let value = kept.get(key);
    if (value === undefined) {
      value = compute(key);
      if (kept.size >= max) kept.clear();
      kept.set(key, value);
    }
    return value;
  };
}
