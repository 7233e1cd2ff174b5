/**
 * How a field's lists merge (strategic merge patch and server-side apply need the same answer):
 * from a CRD's schema (x-kubernetes-list-type / -map-keys), or for built-ins from the
 * patchMergeKey/listType tags kube declares on the fields the stack uses.
 */
import { isObject, type JsonObject } from './types.js';

export type ListType = { type: 'map'; keys: string[] } | { type: 'set' } | { type: 'atomic' };

export interface Shape {
  child(name: string): Shape;
  item(): Shape;
  listType(items: unknown[]): ListType;
  /** A map whose value is replaced as a whole (x-kubernetes-map-type: atomic). */
  atomicMap(): boolean;
  /**
   * A struct server-side apply owns and replaces as one field (+structType=atomic, as
   * LabelSelector, and Service's +mapType=atomic selector); strategic merge patch still merges into it.
   */
  atomicStruct(): boolean;
  /**
   * A map or list an update that creates it owns itself (`.` in FieldsV1), besides its fields or
   * items: every object and keyed list of a custom resource, and any object's labels and annotations.
   */
  ownedItself(): boolean;
}

const byName: ListType = { type: 'map', keys: ['name'] };

/** Field name -> list semantics of the built-in kinds (k8s.io/api struct tags). */
const builtinLists: Record<string, (items: unknown[]) => ListType> = {
  containers: () => byName,
  initContainers: () => byName,
  ephemeralContainers: () => byName,
  volumes: () => byName,
  env: () => byName,
  imagePullSecrets: () => byName,
  volumeMounts: () => ({ type: 'map', keys: ['mountPath'] }),
  volumeDevices: () => ({ type: 'map', keys: ['devicePath'] }),
  conditions: () => ({ type: 'map', keys: ['type'] }),
  ownerReferences: () => ({ type: 'map', keys: ['uid'] }),
  finalizers: () => ({ type: 'set' }),
  hostAliases: () => ({ type: 'map', keys: ['ip'] }),
  // kube keys ports by number and protocol (strategic merge patch by the number alone: keys[0]).
  ports: (items) =>
    items.some((i) => isObject(i) && i.containerPort !== undefined)
      ? { type: 'map', keys: ['containerPort', 'protocol'] }
      : items.some((i) => isObject(i) && i.port !== undefined)
        ? { type: 'map', keys: ['port', 'protocol'] }
        : { type: 'atomic' },
};

const ATOMIC_STRUCTS = new Set(['selector', 'podSelector', 'namespaceSelector']);

class BuiltinShape implements Shape {
  constructor(private readonly name = '') {}
  child(name: string): Shape {
    return new BuiltinShape(name);
  }
  item(): Shape {
    return new BuiltinShape('');
  }
  listType(items: unknown[]): ListType {
    return builtinLists[this.name]?.(items) ?? { type: 'atomic' };
  }
  atomicMap(): boolean {
    return false;
  }
  atomicStruct(): boolean {
    return ATOMIC_STRUCTS.has(this.name);
  }
  ownedItself(): boolean {
    return false;
  }
}

const metadataLists: Record<string, ListType> = {
  finalizers: { type: 'set' },
  ownerReferences: { type: 'map', keys: ['uid'] },
};

class SchemaShape implements Shape {
  constructor(private readonly schema: JsonObject | undefined) {}
  child(name: string): Shape {
    const s = this.schema;
    if (!s) return new SchemaShape(undefined);
    const props = isObject(s.properties) ? s.properties : undefined;
    if (props && isObject(props[name])) return new SchemaShape(props[name]);
    if (isObject(s.additionalProperties)) return new SchemaShape(s.additionalProperties);
    return new SchemaShape(undefined);
  }
  item(): Shape {
    return new SchemaShape(this.schema && isObject(this.schema.items) ? this.schema.items : undefined);
  }
  listType(): ListType {
    const t = this.schema?.['x-kubernetes-list-type'];
    if (t === 'map') {
      const keys = this.schema?.['x-kubernetes-list-map-keys'];
      return { type: 'map', keys: Array.isArray(keys) ? keys.map(String) : [] };
    }
    return t === 'set' ? { type: 'set' } : { type: 'atomic' };
  }
  atomicMap(): boolean {
    return this.schema?.['x-kubernetes-map-type'] === 'atomic';
  }
  atomicStruct(): boolean {
    return false;
  }
  ownedItself(): boolean {
    return this.schema?.type === 'object' || this.schema?.type === 'array';
  }
}

/** The object's metadata always follows ObjectMeta's rules, whatever the schema says. */
class RootShape implements Shape {
  constructor(private readonly body: Shape) {}
  child(name: string): Shape {
    return name === 'metadata' ? new MetadataShape() : this.body.child(name);
  }
  item(): Shape {
    return this.body.item();
  }
  listType(items: unknown[]): ListType {
    return this.body.listType(items);
  }
  atomicMap(): boolean {
    return false;
  }
  atomicStruct(): boolean {
    return false;
  }
  ownedItself(): boolean {
    return false;
  }
}

class MetadataShape implements Shape {
  child(name: string): Shape {
    return new MetadataFieldShape(metadataLists[name] ?? { type: 'atomic' }, name === 'labels' || name === 'annotations');
  }
  item(): Shape {
    return this;
  }
  listType(): ListType {
    return { type: 'atomic' };
  }
  atomicMap(): boolean {
    return false;
  }
  atomicStruct(): boolean {
    return false;
  }
  ownedItself(): boolean {
    return false;
  }
}

class MetadataFieldShape extends BuiltinShape {
  constructor(private readonly list: ListType, private readonly map: boolean) {
    super();
  }
  override listType(): ListType {
    return this.list;
  }
  override ownedItself(): boolean {
    return this.map;
  }
}

export function shapeFor(schema: JsonObject | undefined): Shape {
  return new RootShape(schema ? new SchemaShape(schema) : new BuiltinShape());
}
