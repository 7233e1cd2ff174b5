/**
 * Field ownership (metadata.managedFields): server-side apply with conflicts and removal of
 * fields a manager stops sending, and ownership tracking for ordinary updates.
 */
import { ApiError } from './errors.js';
import {
  deletePath, describePath, fieldsOf, fromFieldsV1, hasPath, isPrefix, listKeyValue, newSet, pathKey, removeAt, toFieldsV1, valueAt,
  type FieldPath, type FieldSet,
} from './fieldset.js';
import type { Shape } from './shape.js';
import { clone, deepEqual, isObject, type JsonObject, type KubeObject, type ManagedFieldsEntry } from './types.js';

interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  fields: FieldSet;
}

export interface WriteContext {
  manager: string;
  apiVersion: string;
  /** 'status' for writes to the status subresource. */
  subresource?: string;
  now: string;
  shape: Shape;
  /** Top-level fields this write may touch: not status on the main resource, only status on /status. */
  includes: (field: string) => boolean;
}

function readManagers(obj: KubeObject): Manager[] {
  return (obj.metadata.managedFields ?? []).map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    subresource: e.subresource,
    time: e.time,
    fields: fromFieldsV1(e.fieldsV1),
  }));
}

function writeManagers(obj: KubeObject, managers: Manager[]): void {
  const entries: ManagedFieldsEntry[] = managers
    .filter((m) => m.fields.size > 0)
    .map((m) => ({
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      ...(m.time ? { time: m.time } : {}),
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(m.fields),
      ...(m.subresource ? { subresource: m.subresource } : {}),
    }));
  if (entries.length) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

function same(m: Manager, ctx: WriteContext, operation: 'Apply' | 'Update'): boolean {
  return m.manager === ctx.manager && m.operation === operation && (m.subresource ?? '') === (ctx.subresource ?? '');
}

function entryFor(managers: Manager[], ctx: WriteContext, operation: 'Apply' | 'Update'): Manager {
  let m = managers.find((x) => same(x, ctx, operation));
  if (!m) {
    m = { manager: ctx.manager, operation, apiVersion: ctx.apiVersion, subresource: ctx.subresource, fields: newSet() };
    managers.push(m);
  }
  m.apiVersion = ctx.apiVersion;
  m.time = ctx.now;
  return m;
}

/**
 * Ownership after an ordinary write (create, update, patch): the writer takes every field whose
 * value it changed or added, others lose those; fields that disappeared are owned by nobody.
 */
export function trackUpdate(old: KubeObject | undefined, updated: KubeObject, ctx: WriteContext): void {
  const managers = old ? readManagers(old) : [];
  const before = old ? fieldsOf(old, ctx.shape, ctx.includes, true) : newSet();
  const after = fieldsOf(updated, ctx.shape, ctx.includes, true);
  const changed = newSet();
  const parents = new Set<string>();
  for (const p of after.values()) for (let i = 1; i < p.length; i++) parents.add(pathKey(p.slice(0, i)));
  for (const [key, p] of after) {
    // A map or list is the updater's when the update created it; a change inside it is only its fields'.
    const map = parents.has(key) && !p[p.length - 1].startsWith('k:');
    if (!before.has(key) || (!map && !deepEqual(valueAt(old, p), valueAt(updated, p)))) changed.set(key, p);
  }
  for (const m of managers) {
    for (const [key, p] of [...m.fields]) {
      if (isOwnedByScope(p, ctx) && (!after.has(key) || changed.has(key))) m.fields.delete(key);
    }
  }
  if (changed.size) {
    const mine = entryFor(managers, ctx, 'Update');
    for (const [key, p] of changed) mine.fields.set(key, p);
  }
  writeManagers(updated, managers);
}

/** A write to the main resource doesn't disown status fields, and a status write touches only status. */
function isOwnedByScope(p: FieldPath, ctx: WriteContext): boolean {
  return ctx.includes(p[0]?.slice(2) ?? '');
}

export interface ApplyOptions {
  force: boolean;
}

/**
 * Server-side apply of `config` onto `live` (undefined when the apply creates the object).
 * Returns the merged object with updated managedFields, or throws 409 naming each conflict.
 */
export function serverSideApply(live: KubeObject | undefined, config: KubeObject, ctx: WriteContext, opts: ApplyOptions): KubeObject {
  const base: KubeObject = live ? clone(live) : { apiVersion: config.apiVersion, kind: config.kind, metadata: clone(config.metadata) };
  const managers = live ? readManagers(live) : [];
  const applied = fieldsOf(config, ctx.shape, ctx.includes);
  const conflicts: { manager: Manager; path: FieldPath }[] = [];
  // Values conflict only at leaves: a list item or map that both set is shared, and the server's
  // defaults inside it (a container's terminationMessagePath) are no one's.
  const all = [...applied.values()];
  const leaves = new Set(all.filter((p) => !all.some((q) => q.length > p.length && isPrefix(p, q))));
  for (const m of managers) {
    if (same(m, ctx, 'Apply')) continue;
    for (const p of applied.values()) {
      if (!hasPath(m.fields, p) || !leaves.has(p)) continue;
      if (!deepEqual(valueAt(base, p), valueAt(config, p))) conflicts.push({ manager: m, path: p });
    }
  }
  if (conflicts.length && !opts.force) throw conflictError(conflicts, config);
  for (const c of conflicts) deletePath(c.manager.fields, c.path);

  const previous = managers.find((m) => same(m, ctx, 'Apply'))?.fields ?? newSet();
  const merged = mergeApplied(base, config, ctx);
  const others = managers.filter((m) => !same(m, ctx, 'Apply'));
  const dropped = [...previous.values()].filter((p) => !hasPath(applied, p));
  // Shortest paths first: once a list item goes, its fields go with it.
  dropped.sort((a, b) => a.length - b.length);
  const removed: FieldPath[] = [];
  for (const p of dropped) {
    if (removed.some((r) => isPrefix(r, p))) continue;
    const ownedElsewhere = others.some((m) => [...m.fields.values()].some((q) => isPrefix(p, q)));
    const stillApplied = [...applied.values()].some((q) => isPrefix(p, q));
    if (ownedElsewhere || stillApplied) continue;
    removeAt(merged, p);
    removed.push(p);
    pruneEmptyParents(merged, p, [...others.flatMap((m) => [...m.fields.values()]), ...applied.values()]);
  }
  // Shared ownership: fields applied with the same value another manager set stay theirs too.
  const mine = entryFor(managers, ctx, 'Apply');
  mine.fields = newSet([...applied.values()]);
  writeManagers(merged, managers);
  return merged;
}

/** Maps and lists left empty by a removal go too, unless someone owns something at or under them. */
function pruneEmptyParents(obj: KubeObject, removedPath: FieldPath, owned: FieldPath[]): void {
  for (let len = removedPath.length - 1; len > 0; len--) {
    const parent = removedPath.slice(0, len);
    const value = valueAt(obj, parent);
    const empty = (isObject(value) && !Object.keys(value).length) || (Array.isArray(value) && !value.length);
    if (!empty || owned.some((q) => isPrefix(parent, q))) return;
    removeAt(obj, parent);
  }
}

function mergeApplied(base: KubeObject, config: KubeObject, ctx: WriteContext): KubeObject {
  const out = clone(base);
  for (const [key, value] of Object.entries(config)) {
    if (key === 'apiVersion' || key === 'kind' || !ctx.includes(key)) continue;
    if (key === 'metadata') {
      const meta = isObject(value) ? value : {};
      for (const m of ['labels', 'annotations', 'finalizers', 'ownerReferences']) {
        if (meta[m] !== undefined) out.metadata[m] = mergeValue(out.metadata[m], meta[m], ctx.shape.child('metadata').child(m));
      }
      continue;
    }
    out[key] = mergeValue(out[key], value, ctx.shape.child(key));
  }
  return out;
}

function mergeValue(live: unknown, applied: unknown, shape: Shape): unknown {
  if (isObject(applied) && !shape.atomicMap() && !shape.atomicStruct()) {
    const out: JsonObject = isObject(live) ? clone(live) : {};
    for (const [k, v] of Object.entries(applied)) out[k] = mergeValue(out[k], v, shape.child(k));
    return out;
  }
  if (Array.isArray(applied)) {
    const lt = shape.listType(applied);
    const current = Array.isArray(live) ? clone(live) : [];
    if (lt.type === 'set') {
      for (const v of applied) if (!current.some((c) => deepEqual(c, v))) current.push(clone(v));
      return current;
    }
    if (lt.type === 'map') {
      for (const item of applied) {
        if (!isObject(item)) continue;
        const at = current.findIndex((c) => isObject(c) && lt.keys.every((k) => deepEqual(listKeyValue(c, k), listKeyValue(item, k))));
        if (at >= 0) current[at] = mergeValue(current[at], item, shape.item());
        else current.push(clone(item));
      }
      return current;
    }
  }
  return clone(applied);
}

function conflictError(conflicts: { manager: Manager; path: FieldPath }[], config: KubeObject): ApiError {
  const byManager = new Map<string, { manager: Manager; paths: FieldPath[] }>();
  for (const c of conflicts) {
    const key = `${c.manager.manager}\u0000${c.manager.apiVersion}`;
    const entry = byManager.get(key) ?? { manager: c.manager, paths: [] };
    entry.paths.push(c.path);
    byManager.set(key, entry);
  }
  const lines = [...byManager.values()].map(({ manager, paths }) =>
    paths.length === 1
      ? `conflict with "${manager.manager}" using ${manager.apiVersion}: ${describePath(paths[0])}`
      : `conflicts with "${manager.manager}" using ${manager.apiVersion}:\n${paths.map((p) => `- ${describePath(p)}`).join('\n')}`,
  );
  const n = conflicts.length;
  const message = `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${lines.join('\n')}`;
  return new ApiError(409, 'Conflict', message, {
    name: config.metadata.name,
    kind: config.kind,
    causes: conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with "${c.manager.manager}" using ${c.manager.apiVersion}`,
      field: describePath(c.path),
    })),
  });
}
