/**
 * The API's semantics over the store: create, read, update, patch, apply and delete with
 * kube's rules (uid, generation, resourceVersion preconditions, status subresource, schema,
 * finalizers, garbage collection, CRD registration). No HTTP here.
 */
import { randomUUID } from 'node:crypto';
import { clusterIpAllocator, defaultBuiltin, type ClusterIpAllocator } from './builtin-defaults.js';
import { canonicaliseQuantities } from './quantity-fields.js';
import { builtinErrors } from './builtin-validation.js';
import { ApiError, alreadyExists, badRequest, conflict, gone, invalid, notFound } from './errors.js';
import { CRD_FINALIZER, FOREGROUND, NAMESPACE_FINALIZER, ORPHAN, planGarbageCollection, type GcAction, type StoredRef } from './gc.js';
import { serverSideApply, trackUpdate, type WriteContext } from './managed-fields.js';
import { jsonPatch } from './patch/json-patch.js';
import { mergePatch } from './patch/merge-patch.js';
import { strategicMergePatch } from './patch/strategic-merge-patch.js';
import { Registry } from './registry.js';
import { apiVersionOf, storageKey, type ResourceType } from './resource-type.js';
import { applyDefaults, prune, validate } from './schema.js';
import { applyScale, toScale } from './scale.js';
import { shapeFor } from './shape.js';
import { ObjectStore } from './store.js';
import { clone, deepEqual, isObject, type KubeObject } from './types.js';
import { crdStatus, validateCrd } from './crd.js';
import { coreToEventsV1, eventsV1ToCore } from './event-conversion.js';
import { immutabilityErrors, ownerReferenceErrors } from './immutable.js';
import { validateMetadata } from './names.js';
import { checkFieldSelector } from './field-labels.js';
import { bothSelectors } from './selectors.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { changedBeyondMetadata, keepManagerTimes, podGrace, randomSuffix, withoutVolatile } from './write-rules.js';

export interface WriteOptions {
  fieldManager?: string;
  /** Derived manager name when fieldManager is absent: the user agent up to its first '/'. */
  userAgent?: string;
  dryRun?: boolean;
  fieldValidation?: string;
  force?: boolean;
  subresource?: 'status';
}

export interface DeleteOptions {
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
  dryRun?: boolean;
}

export interface WriteResult {
  object: KubeObject;
  created: boolean;
  warnings: string[];
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

/** The namespaces kube's lifecycle admission never lets go: the cluster's own objects live there. */
const UNDELETABLE_NAMESPACES = ['default', 'kube-system', 'kube-public'];

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export class Api {
  readonly registry = new Registry();
  readonly store: ObjectStore;
  private gcScheduled = false;
  private closed = false;

  constructor(watchHistory = 10000, private readonly allocateClusterIp: ClusterIpAllocator = clusterIpAllocator()) {
    this.store = new ObjectStore(watchHistory);
    for (const name of ['default', 'kube-system', 'kube-public']) {
      this.create(this.registry.find('', 'v1', 'namespaces')!, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, {});
    }
  }

  close(): void {
    this.closed = true;
  }

  /** The object as seen in the requested version: same data, that version's apiVersion (events converted). */
  view(type: ResourceType, obj: KubeObject): KubeObject {
    if (obj.apiVersion === apiVersionOf(type) && obj.kind === type.kind) return obj;
    if (type.group === 'events.k8s.io') return coreToEventsV1(obj);
    return { ...obj, apiVersion: apiVersionOf(type), kind: type.kind };
  }

  private put(type: ResourceType, obj: KubeObject): KubeObject {
    return this.store.put(storageKey(type), type.group === 'events.k8s.io' ? eventsV1ToCore(obj) : obj);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store.get(storageKey(type), type.namespaced ? namespace : undefined, name);
    if (!obj) throw notFound(type.plural, type.group, name);
    return this.view(type, obj);
  }

  list(type: ResourceType, namespace: string | undefined, opts: ListOptions): ListResult {
    checkFieldSelector(type, opts.fieldSelector);
    const matches = bothSelectors(opts.labelSelector, opts.fieldSelector);
    let items = this.store.list(storageKey(type), type.namespaced ? namespace : undefined).filter((o) => matches(this.view(type, o)));
    const rv = String(this.store.currentRv);
    if (opts.continue) {
      const token = decodeContinue(opts.continue);
      if (token.rv < this.store.oldestRv) throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      items = items.filter((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}` > token.after);
    }
    if (opts.limit && opts.limit > 0 && items.length > opts.limit) {
      const page = items.slice(0, opts.limit);
      const last = page[page.length - 1];
      return {
        items: page.map((o) => this.view(type, o)),
        resourceVersion: rv,
        continue: encodeContinue({ rv: this.store.currentRv, after: `${last.metadata.namespace ?? ''}/${last.metadata.name}` }),
        remainingItemCount: items.length - page.length,
      };
    }
    return { items: items.map((o) => this.view(type, o)), resourceVersion: rv };
  }

  create(type: ResourceType, namespace: string | undefined, body: unknown, opts: WriteOptions, appliedManagers?: KubeObject['metadata']['managedFields']): WriteResult {
    const obj = this.checkBody(type, namespace, body);
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = `${obj.metadata.generateName}${randomSuffix()}`;
    const name = obj.metadata.name;
    if (!name) throw invalid(type.kind, type.group, '', [{ field: 'metadata.name', reason: 'FieldValueRequired', detail: 'Required value: name or generateName is required' }]);
    this.checkNamespace(type, obj.metadata.namespace);
    if (type.crd && this.store.get('apiextensions.k8s.io/customresourcedefinitions', undefined, type.crd)?.metadata.deletionTimestamp) {
      throw new ApiError(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating');
    }
    if (this.store.get(storageKey(type), obj.metadata.namespace, name)) throw alreadyExists(type.plural, type.group, name);
    for (const k of ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields']) delete obj.metadata[k];
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = now();
    if (type.hasGeneration) obj.metadata.generation = 1;
    if (type.statusSubresource) delete obj.status;
    // kube's CRD finalizer: deleting a CRD deletes its objects first, letting their finalizers run.
    if (isCrdType(type)) obj.metadata.finalizers = [...new Set([...(obj.metadata.finalizers ?? []), CRD_FINALIZER])];
    const warnings = this.admit(type, obj, undefined, opts);
    if (appliedManagers) obj.metadata.managedFields = appliedManagers;
    else trackUpdate(undefined, obj, this.writeContext(type, opts));
    if (opts.dryRun) return { object: obj, created: true, warnings };
    const stored = this.put(type, obj);
    this.afterWrite(type, stored);
    return { object: this.view(type, stored), created: true, warnings };
  }

  update(type: ResourceType, namespace: string | undefined, name: string, body: unknown, opts: WriteOptions): WriteResult {
    const obj = this.checkBody(type, namespace, body);
    if (obj.metadata.name !== name) throw badRequest(`the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${name})`);
    const old = this.store.get(storageKey(type), obj.metadata.namespace, name);
    if (!old) throw notFound(type.plural, type.group, name);
    const rv = obj.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) {
      throw conflict(type.plural, type.group, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    return this.write(type, old, obj, opts);
  }

  patch(type: ResourceType, namespace: string | undefined, name: string, patchType: PatchType, patch: unknown, opts: WriteOptions): WriteResult {
    const ns = type.namespaced ? namespace : undefined;
    const old = this.store.get(storageKey(type), ns, name);
    if (patchType === 'apply') return this.apply(type, ns, name, old, patch, opts);
    if (!old) throw notFound(type.plural, type.group, name);
    const current = this.view(type, old);
    let patched: unknown;
    if (patchType === 'merge') patched = mergePatch(current, patch);
    else if (patchType === 'json') patched = jsonPatch(current, patch);
    else {
      if (type.crd) throw new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
      patched = strategicMergePatch(current, patch, shapeFor(undefined));
    }
    const obj = this.checkBody(type, ns, patched);
    if (obj.metadata.name !== name) throw badRequest(`the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${name})`);
    const rv = obj.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) {
      throw conflict(type.plural, type.group, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    return this.write(type, old, obj, opts);
  }

  private apply(type: ResourceType, ns: string | undefined, name: string, old: KubeObject | undefined, patch: unknown, opts: WriteOptions): WriteResult {
    if (!opts.fieldManager) throw badRequest('PATCH, PUT or POST with apply requests requires fieldManager to be set');
    const config = this.checkBody(type, ns, patch);
    if (config.apiVersion !== apiVersionOf(type) || config.kind !== type.kind) {
      throw badRequest(`the apiVersion and kind of the applied object (${String(config.apiVersion)}, ${String(config.kind)}) must match the resource (${apiVersionOf(type)}, ${type.kind})`);
    }
    if (config.metadata.name !== name) throw badRequest(`the name of the object (${config.metadata.name ?? ''}) does not match the name on the URL (${name})`);
    const ctx = this.writeContext(type, opts);
    if (type.schema) {
      // Applied configurations are pruned like any write so unknown fields are not owned.
      prune(config, type.schema);
    }
    if (!old) {
      if (opts.subresource) throw notFound(type.plural, type.group, name);
      const merged = serverSideApply(undefined, config, ctx, { force: true });
      return this.create(type, ns, merged, opts, merged.metadata.managedFields ?? []);
    }
    const merged = serverSideApply(this.view(type, old), config, ctx, { force: opts.force ?? false });
    return this.write(type, old, merged, opts, true);
  }

  /** Validates and stores a new version of an existing object; a write that changes nothing keeps the resourceVersion. */
  private write(type: ResourceType, old: KubeObject, obj: KubeObject, opts: WriteOptions, applied = false): WriteResult {
    const meta = obj.metadata;
    for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation']) {
      if (old.metadata[k] === undefined) delete meta[k];
      else meta[k] = old.metadata[k];
    }
    meta.resourceVersion = old.metadata.resourceVersion;
    if (opts.subresource === 'status') {
      const status = obj.status;
      const kept = clone(old);
      kept.status = status;
      if (status === undefined) delete kept.status;
      kept.metadata.managedFields = meta.managedFields;
      obj = kept;
    } else if (type.statusSubresource) {
      if (old.status === undefined) delete obj.status;
      else obj.status = clone(old.status);
    }
    if (old.metadata.deletionTimestamp) {
      const added = (obj.metadata.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
      if (added.length) {
        throw invalid(type.kind, type.group, meta.name!, [{ field: 'metadata.finalizers', reason: 'FieldValueForbidden', detail: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}` }]);
      }
    }
    const warnings = this.admit(type, obj, old, opts);
    if (type.hasGeneration && changedBeyondMetadata(type, old, obj)) obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
    if (!applied) trackUpdate(this.view(type, old), obj, this.writeContext(type, opts));
    keepManagerTimes(old, obj);
    if (deepEqual(withoutVolatile(obj), withoutVolatile(this.view(type, old))) && deepEqual(obj.metadata.managedFields, old.metadata.managedFields)) {
      return { object: this.view(type, old), created: false, warnings };
    }
    if (opts.dryRun) return { object: obj, created: false, warnings };
    if (obj.metadata.deletionTimestamp && !(obj.metadata.finalizers ?? []).length && !this.hasSpecFinalizers(type, obj)) {
      const removed = this.store.remove(storageKey(type), obj.metadata.namespace, meta.name!);
      this.afterDelete(type, removed ?? obj);
      return { object: this.view(type, { ...obj, metadata: { ...obj.metadata, resourceVersion: removed?.metadata.resourceVersion } }), created: false, warnings };
    }
    const stored = this.put(type, obj);
    this.afterWrite(type, stored);
    return { object: this.view(type, stored), created: false, warnings };
  }

  getScale(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    return toScale(this.get(type, namespace, name), type.scale!);
  }

  /** Writes a Scale (from PUT, or a patch of the current Scale) to the workload's replica count. */
  updateScale(type: ResourceType, namespace: string | undefined, name: string, change: { body: unknown } | { patchType: PatchType; patch: unknown }, opts: WriteOptions): KubeObject {
    const ns = type.namespaced ? namespace : undefined;
    const old = this.store.get(storageKey(type), ns, name);
    if (!old) throw notFound(type.plural, type.group, name);
    const current = toScale(this.view(type, old), type.scale!);
    let scale: unknown;
    if ('body' in change) scale = change.body;
    else if (change.patchType === 'json') scale = jsonPatch(current, change.patch);
    else if (change.patchType === 'apply') throw new ApiError(415, 'UnsupportedMediaType', 'apply patches are not supported on the scale subresource here');
    else scale = mergePatch(current, change.patch);
    const rv = isObject(scale) && isObject(scale.metadata) ? scale.metadata.resourceVersion : undefined;
    if (rv && rv !== old.metadata.resourceVersion) {
      throw conflict(type.plural, type.group, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    const result = this.write(type, old, applyScale(this.view(type, old), scale, type.scale!), opts);
    return toScale(result.object, type.scale!);
  }

  delete(type: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions): KubeObject {
    const ns = type.namespaced ? namespace : undefined;
    const obj = this.store.get(storageKey(type), ns, name);
    if (!obj) throw notFound(type.plural, type.group, name);
    if (type.group === '' && type.plural === 'namespaces' && UNDELETABLE_NAMESPACES.includes(name)) {
      throw new ApiError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
    }
    const pre = opts.preconditions ?? {};
    if (pre.uid && pre.uid !== obj.metadata.uid) {
      throw conflict(type.plural, type.group, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
    }
    if (pre.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
      throw conflict(type.plural, type.group, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`);
    }
    const next = clone(obj);
    const finalizers = new Set(next.metadata.finalizers ?? []);
    const policy = opts.propagationPolicy ?? 'Background';
    if (!['Background', 'Foreground', 'Orphan'].includes(policy)) throw badRequest(`propagationPolicy: Unsupported value: "${policy}"`);
    const hasDependents = this.hasDependents(obj.metadata.uid!);
    if (policy === 'Foreground' && hasDependents) finalizers.add(FOREGROUND);
    if (policy === 'Orphan' && hasDependents) finalizers.add(ORPHAN);
    const graceful = this.gracefulPodDeletion(type, obj, opts);
    if (finalizers.size || graceful || this.hasSpecFinalizers(type, obj)) {
      if (opts.dryRun) return this.view(type, obj);
      if (!next.metadata.deletionTimestamp) {
        const grace = graceful ? (opts.gracePeriodSeconds ?? podGrace(obj)) : 0;
        next.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
        next.metadata.deletionGracePeriodSeconds = grace;
      }
      if (finalizers.size) next.metadata.finalizers = [...finalizers];
      if (type.group === '' && type.plural === 'namespaces') next.status = { ...(isObject(next.status) ? next.status : {}), phase: 'Terminating' };
      if (deepEqual(next, obj)) return this.view(type, obj);
      const stored = this.store.put(storageKey(type), next);
      this.scheduleGc();
      return this.view(type, stored);
    }
    if (opts.dryRun) return this.view(type, obj);
    const removed = this.store.remove(storageKey(type), ns, name)!;
    this.afterDelete(type, removed);
    return this.view(type, removed);
  }

  /** A pod bound to a node is deleted gracefully: the node's agent (the sandbox runtime) finishes it with gracePeriodSeconds=0. */
  private gracefulPodDeletion(type: ResourceType, obj: KubeObject, opts: DeleteOptions): boolean {
    if (type.group !== '' || type.plural !== 'pods') return false;
    const spec = isObject(obj.spec) ? obj.spec : {};
    const phase = isObject(obj.status) ? obj.status.phase : undefined;
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return false;
    return (opts.gracePeriodSeconds ?? podGrace(obj)) > 0;
  }

  private hasSpecFinalizers(type: ResourceType, obj: KubeObject): boolean {
    if (type.group !== '' || type.plural !== 'namespaces') return false;
    const spec = isObject(obj.spec) ? obj.spec : {};
    return Array.isArray(spec.finalizers) && spec.finalizers.length > 0;
  }

  private hasDependents(uid: string): boolean {
    return this.store.dependents(uid).length > 0;
  }

  /**
   * The objects garbage collection can act on, with everything its decisions about them read:
   * deleting objects and their dependents (and a terminating namespace's contents, a deleted
   * CRD's objects), dependents of missing owners, and the owner chains of all of these. Every
   * other object has live owners that are not being deleted, so planning over the whole store
   * would find nothing to do for it; this keeps a pass from scanning every object on each write.
   * Ordered as the whole store would be (by resource, then namespace and name).
   */
  private gcCandidates(): StoredRef[] {
    const picked = new Map<string, StoredRef>();
    const add = (r: StoredRef | undefined): void => {
      if (r) picked.set(`${r.resource}\0${r.object.metadata.namespace ?? ''}/${r.object.metadata.name}`, r);
    };
    for (const d of this.store.deleting()) {
      add(d);
      for (const dep of this.store.dependents(d.object.metadata.uid ?? '')) add(dep);
      if (d.resource === '/namespaces') {
        for (const resource of this.store.resources()) for (const object of this.store.list(resource, d.object.metadata.name)) add({ resource, object });
      }
      if (d.resource === 'apiextensions.k8s.io/customresourcedefinitions') {
        const spec = (d.object.spec ?? {}) as { group?: string; names?: { plural?: string } };
        const resource = `${spec.group ?? ''}/${spec.names?.plural ?? ''}`;
        for (const object of this.store.list(resource)) add({ resource, object });
      }
    }
    for (const uid of this.store.missingOwnerUids()) for (const dep of this.store.dependents(uid)) add(dep);
    const queue = [...picked.values()];
    while (queue.length) {
      for (const ref of queue.pop()!.object.metadata.ownerReferences ?? []) {
        const owner = this.store.byUid(ref.uid);
        if (!owner) continue;
        const size = picked.size;
        add(owner);
        if (picked.size > size) queue.push(owner);
      }
    }
    const rank = new Map(this.store.resources().map((r, i) => [r, i]));
    const keyOf = (r: StoredRef): string => `${r.object.metadata.namespace ?? ''}/${r.object.metadata.name}`;
    return [...picked.values()].sort((a, b) => (rank.get(a.resource)! - rank.get(b.resource)!) || keyOf(a).localeCompare(keyOf(b)));
  }

  private checkBody(type: ResourceType, namespace: string | undefined, body: unknown): KubeObject {
    if (!isObject(body)) throw badRequest('the body of the request must be a JSON object');
    const obj = clone(body) as KubeObject;
    if (!isObject(obj.metadata)) obj.metadata = {};
    if (obj.apiVersion !== undefined && obj.kind !== undefined && (obj.kind !== type.kind || obj.apiVersion !== apiVersionOf(type))) {
      throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(type)})`);
    }
    obj.apiVersion ??= apiVersionOf(type);
    obj.kind ??= type.kind;
    if (type.namespaced) {
      if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = namespace ?? obj.metadata.namespace;
      if (!obj.metadata.namespace) throw badRequest('the namespace of the object is required');
    } else delete obj.metadata.namespace;
    return obj;
  }

  private checkNamespace(type: ResourceType, namespace: string | undefined): void {
    if (!type.namespaced || !namespace) return;
    const ns = this.store.get('/namespaces', undefined, namespace);
    if (!ns) throw notFound('namespaces', '', namespace);
    if (ns.metadata.deletionTimestamp) {
      throw new ApiError(403, 'Forbidden', `${type.plural}${type.group ? `.${type.group}` : ''} is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  /** Defaults and validation: kube's built-in defaults, or the CRD's structural schema and CEL rules. */
  private admit(type: ResourceType, obj: KubeObject, old: KubeObject | undefined, opts: WriteOptions): string[] {
    const warnings: string[] = [];
    if (!type.crd) {
      canonicaliseQuantities(type.group, type.kind, obj);
      defaultBuiltin(type.group, type.kind, obj, old, this.allocateClusterIp);
    }
    const metaErrors = [
      ...validateMetadata(obj, type.kind, type.group),
      ...ownerReferenceErrors(obj),
      ...(old && !type.crd ? immutabilityErrors(type.group, type.kind, old, obj) : []),
      ...(type.crd ? [] : builtinErrors(type.group, type.kind, obj)),
    ];
    if (metaErrors.length) throw invalid(type.kind, type.group, obj.metadata.name ?? '', metaErrors);
    if (isCrdType(type)) {
      const errors = validateCrd(obj);
      if (errors.length) throw invalid(type.kind, type.group, obj.metadata.name ?? '', errors);
    }
    if (type.schema) {
      const unknown = prune(obj, type.schema);
      if (unknown.length && opts.fieldValidation === 'Strict') {
        throw badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(', ')}`);
      }
      if (opts.fieldValidation !== 'Ignore') warnings.push(...unknown.map((u) => `unknown field "${u}"`));
      applyDefaults(obj, type.schema);
      const errors = validate(obj, type.schema, old ? this.view(type, old) : undefined);
      if (errors.length) throw invalid(type.kind, type.group, obj.metadata.name ?? '', errors);
    }
    return warnings;
  }

  private writeContext(type: ResourceType, opts: WriteOptions): WriteContext {
    const status = opts.subresource === 'status';
    return {
      manager: opts.fieldManager || (opts.userAgent ?? '').split('/')[0] || 'unknown',
      apiVersion: apiVersionOf(type),
      subresource: opts.subresource,
      now: now(),
      shape: shapeFor(type.schema),
      includes: status ? (field) => field === 'status' : type.statusSubresource ? (field) => field !== 'status' : () => true,
    };
  }

  private afterWrite(type: ResourceType, stored: KubeObject): void {
    if (isCrdType(type)) this.establishCrd(stored);
    if (stored.metadata.ownerReferences?.length || stored.metadata.deletionTimestamp) this.scheduleGc();
  }

  private afterDelete(type: ResourceType, removed: KubeObject): void {
    if (isCrdType(type)) {
      const served = this.registry.all().find((t) => t.crd === removed.metadata.name);
      this.registry.setCrd(removed.metadata.name!, undefined);
      if (served) for (const o of this.store.list(storageKey(served))) this.store.remove(storageKey(served), o.metadata.namespace, o.metadata.name!);
    }
    this.scheduleGc();
  }

  /** Serves the CRD's versions at once and reports it Established, as kube does within moments. */
  private establishCrd(crd: KubeObject): void {
    if (crd.metadata.deletionTimestamp) return;
    this.registry.setCrd(crd.metadata.name!, crd);
    const status = crdStatus(crd, now());
    const current = crd.status as Record<string, unknown> | undefined;
    if (current && deepEqual(current.acceptedNames, status.acceptedNames) && deepEqual(current.storedVersions, status.storedVersions)) return;
    const next = clone(crd);
    next.status = status;
    this.store.put('apiextensions.k8s.io/customresourcedefinitions', next);
  }

  scheduleGc(): void {
    if (this.gcScheduled || this.closed) return;
    this.gcScheduled = true;
    setImmediate(() => {
      this.gcScheduled = false;
      if (this.closed) return;
      try {
        this.collectGarbage();
      } catch (err) {
        // A garbage-collection bug must not take the whole API server down with it.
        process.stderr.write(`apiserver: garbage collection failed: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    });
  }

  /** Runs garbage collection until nothing is left to do. */
  collectGarbage(): void {
    for (let round = 0; round < 100; round++) {
      const actions = planGarbageCollection(this.gcCandidates());
      if (!actions.length) return;
      for (const action of actions) this.carryOut(action);
    }
  }

  private carryOut(action: GcAction): void {
    const { resource, object } = action.target;
    const live = this.store.get(resource, object.metadata.namespace, object.metadata.name!);
    if (!live || live.metadata.uid !== object.metadata.uid) return;
    const type = this.registry.anyVersion(resource.split('/')[0], resource.split('/')[1]);
    if (!type) return;
    try {
      if (action.kind === 'delete') {
        this.delete(type, live.metadata.namespace, live.metadata.name!, { propagationPolicy: 'Background' });
      } else if (action.kind === 'dropOwnerRefs') {
        const next = clone(live);
        next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => !action.uids.includes(r.uid));
        if (!next.metadata.ownerReferences.length) delete next.metadata.ownerReferences;
        this.write(type, live, next, { fieldManager: 'garbage-collector' });
      } else if (action.finalizer === NAMESPACE_FINALIZER) {
        const next = clone(live);
        next.spec = { ...(isObject(next.spec) ? next.spec : {}), finalizers: [] };
        const stored = this.store.put(resource, next);
        if (!(stored.metadata.finalizers ?? []).length) {
          const removed = this.store.remove(resource, undefined, stored.metadata.name!);
          if (removed) this.afterDelete(type, removed);
        }
      } else {
        const next = clone(live);
        next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== action.finalizer);
        this.write(type, live, next, { fieldManager: 'garbage-collector' });
      }
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
  }
}

function isCrdType(type: ResourceType): boolean {
  return type.group === 'apiextensions.k8s.io' && type.plural === 'customresourcedefinitions';
}
