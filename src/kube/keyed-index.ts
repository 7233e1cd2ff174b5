/**
 * Values filed under any number of keys each, found by key without a scan; setting an id again
 * moves it to its new keys. The one mechanism behind the owner, label and TLS-Secret indexes.
 */
export class KeyedIndex<V> {
  private readonly byKey = new Map<string, Map<string, V>>();
  /** Id to the keys it is filed under. */
  private readonly keysOf = new Map<string, string[]>();

  /** Files `value` as `id` under `keys` (none: not filed), leaving the keys it no longer has. */
  set(id: string, keys: string[], value: V): void {
    for (const old of this.keysOf.get(id) ?? []) if (!keys.includes(old)) this.unfile(old, id);
    if (keys.length === 0) {
      this.keysOf.delete(id);
      return;
    }
    for (const key of keys) {
      let values = this.byKey.get(key);
      if (!values) this.byKey.set(key, values = new Map());
      values.set(id, value);
    }
    this.keysOf.set(id, keys);
  }

  delete(id: string): void {
    for (const key of this.keysOf.get(id) ?? []) this.unfile(key, id);
    this.keysOf.delete(id);
  }

  /** Every value filed under `key`. */
  get(key: string): V[] {
    return [...(this.byKey.get(key)?.values() ?? [])];
  }

  private unfile(key: string, id: string): void {
    const values = this.byKey.get(key);
    values?.delete(id);
    if (values?.size === 0) this.byKey.delete(key);
  }
}
