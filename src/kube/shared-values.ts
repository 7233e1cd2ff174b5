/**
 * One copy of what many cached objects hold alike: kinds, namespaces, label sets, owner references
 * (every child of a stack has the same), Secret values (a CA certificate is in two Secrets). A value
 * seen before is handed back as the copy kept; kept objects are frozen, since cached objects are
 * shared and never changed. Past `max` values of a sort it starts over, so what is gone is not kept for ever.
 */
import { boundedMemo } from './bounded-memo.js';

export class SharedValues {
  private readonly values = new Map<string, unknown>();
  /** `s` as the copy kept of an equal string. */
  readonly string: (s: string) => string;

  constructor(private readonly max = 100_000) {
    this.string = boundedMemo((s) => s, max);
  }

  /** `v`, a small JSON value (a label set), as the copy kept of an equal one. */
  value<T>(v: T): T {
    const key = JSON.stringify(v);
    const kept = this.values.get(key);
    if (kept !== undefined) return kept as T;
    if (this.values.size >= this.max) this.values.clear();
    this.values.set(key, deepFreeze(v));
    return v;
  }
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}
