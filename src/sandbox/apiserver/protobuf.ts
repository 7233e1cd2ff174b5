/**
 * Decoding of the Kubernetes protobuf encoding for the kinds Go clients (helm's release
 * storage, `kubectl create ...`, `kubectl auth can-i`) send that way: Secret, ConfigMap, Namespace,
 * ServiceAccount, Deployment, Service, Role, RoleBinding, Job (the fields those commands set),
 * the self-subject reviews, and DeleteOptions. Other kinds get
 * 415, as kube answers for an encoding it can't read. Field numbers are k8s.io/api's generated.proto.
 */
import { ApiError } from './errors.js';
import type { JsonObject } from './types.js';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type FieldKind = 'string' | 'bytes' | 'int' | 'bool' | 'time' | 'intOrString' | { message: string } | { map: 'string' | 'bytes' };

interface Field {
  name: string;
  kind: FieldKind;
  repeated?: boolean;
  /**
   * A pointer field in Go: sent only when set, so its zero value means something (replicas: 0,
   * gracePeriodSeconds: 0). Other fields are always sent, and their zero value means "unset".
   */
  pointer?: boolean;
}

const messages: Record<string, Record<number, Field>> = {
  Unknown: { 1: { name: 'typeMeta', kind: { message: 'TypeMeta' } }, 2: { name: 'raw', kind: 'bytes' }, 3: { name: 'contentEncoding', kind: 'string' }, 4: { name: 'contentType', kind: 'string' } },
  TypeMeta: { 1: { name: 'apiVersion', kind: 'string' }, 2: { name: 'kind', kind: 'string' } },
  ObjectMeta: {
    1: { name: 'name', kind: 'string' },
    2: { name: 'generateName', kind: 'string' },
    3: { name: 'namespace', kind: 'string' },
    5: { name: 'uid', kind: 'string' },
    6: { name: 'resourceVersion', kind: 'string' },
    7: { name: 'generation', kind: 'int' },
    8: { name: 'creationTimestamp', kind: 'time' },
    9: { name: 'deletionTimestamp', kind: 'time' },
    10: { name: 'deletionGracePeriodSeconds', kind: 'int', pointer: true },
    11: { name: 'labels', kind: { map: 'string' } },
    12: { name: 'annotations', kind: { map: 'string' } },
    13: { name: 'ownerReferences', kind: { message: 'OwnerReference' }, repeated: true },
    14: { name: 'finalizers', kind: 'string', repeated: true },
  },
  OwnerReference: {
    1: { name: 'kind', kind: 'string' },
    3: { name: 'name', kind: 'string' },
    4: { name: 'uid', kind: 'string' },
    5: { name: 'apiVersion', kind: 'string' },
    6: { name: 'controller', kind: 'bool', pointer: true },
    7: { name: 'blockOwnerDeletion', kind: 'bool', pointer: true },
  },
  Time: { 1: { name: 'seconds', kind: 'int' }, 2: { name: 'nanos', kind: 'int' } },
  Secret: {
    1: { name: 'metadata', kind: { message: 'ObjectMeta' } },
    2: { name: 'data', kind: { map: 'bytes' } },
    3: { name: 'type', kind: 'string' },
    4: { name: 'stringData', kind: { map: 'string' } },
    5: { name: 'immutable', kind: 'bool', pointer: true },
  },
  ConfigMap: {
    1: { name: 'metadata', kind: { message: 'ObjectMeta' } },
    2: { name: 'data', kind: { map: 'string' } },
    3: { name: 'binaryData', kind: { map: 'bytes' } },
    4: { name: 'immutable', kind: 'bool', pointer: true },
  },
  Namespace: { 1: { name: 'metadata', kind: { message: 'ObjectMeta' } }, 2: { name: 'spec', kind: { message: 'NamespaceSpec' } } },
  NamespaceSpec: { 1: { name: 'finalizers', kind: 'string', repeated: true } },
  ServiceAccount: {
    1: { name: 'metadata', kind: { message: 'ObjectMeta' } },
    2: { name: 'secrets', kind: { message: 'ObjectReference' }, repeated: true },
    3: { name: 'imagePullSecrets', kind: { message: 'LocalObjectReference' }, repeated: true },
    4: { name: 'automountServiceAccountToken', kind: 'bool', pointer: true },
  },
  Deployment: { 1: { name: 'metadata', kind: { message: 'ObjectMeta' } }, 2: { name: 'spec', kind: { message: 'DeploymentSpec' } } },
  DeploymentSpec: {
    1: { name: 'replicas', kind: 'int', pointer: true },
    2: { name: 'selector', kind: { message: 'LabelSelector' } },
    3: { name: 'template', kind: { message: 'PodTemplateSpec' } },
    4: { name: 'strategy', kind: { message: 'DeploymentStrategy' } },
    5: { name: 'minReadySeconds', kind: 'int' },
    6: { name: 'revisionHistoryLimit', kind: 'int', pointer: true },
    7: { name: 'paused', kind: 'bool' },
    9: { name: 'progressDeadlineSeconds', kind: 'int', pointer: true },
  },
  DeploymentStrategy: { 1: { name: 'type', kind: 'string' } },
  LabelSelector: { 1: { name: 'matchLabels', kind: { map: 'string' } }, 2: { name: 'matchExpressions', kind: { message: 'LabelSelectorRequirement' }, repeated: true } },
  LabelSelectorRequirement: { 1: { name: 'key', kind: 'string' }, 2: { name: 'operator', kind: 'string' }, 3: { name: 'values', kind: 'string', repeated: true } },
  PodTemplateSpec: { 1: { name: 'metadata', kind: { message: 'ObjectMeta' } }, 2: { name: 'spec', kind: { message: 'PodSpec' } } },
  PodSpec: {
    2: { name: 'containers', kind: { message: 'Container' }, repeated: true },
    3: { name: 'restartPolicy', kind: 'string' },
    4: { name: 'terminationGracePeriodSeconds', kind: 'int', pointer: true },
    8: { name: 'serviceAccountName', kind: 'string' },
    10: { name: 'nodeName', kind: 'string' },
    20: { name: 'initContainers', kind: { message: 'Container' }, repeated: true },
  },
  Container: {
    1: { name: 'name', kind: 'string' },
    2: { name: 'image', kind: 'string' },
    3: { name: 'command', kind: 'string', repeated: true },
    4: { name: 'args', kind: 'string', repeated: true },
    5: { name: 'workingDir', kind: 'string' },
    6: { name: 'ports', kind: { message: 'ContainerPort' }, repeated: true },
    7: { name: 'env', kind: { message: 'EnvVar' }, repeated: true },
    14: { name: 'imagePullPolicy', kind: 'string' },
  },
  ContainerPort: { 1: { name: 'name', kind: 'string' }, 3: { name: 'containerPort', kind: 'int' }, 4: { name: 'protocol', kind: 'string' } },
  EnvVar: { 1: { name: 'name', kind: 'string' }, 2: { name: 'value', kind: 'string' } },
  Service: { 1: { name: 'metadata', kind: { message: 'ObjectMeta' } }, 2: { name: 'spec', kind: { message: 'ServiceSpec' } } },
  ServiceSpec: {
    1: { name: 'ports', kind: { message: 'ServicePort' }, repeated: true },
    2: { name: 'selector', kind: { map: 'string' } },
    3: { name: 'clusterIP', kind: 'string' },
    4: { name: 'type', kind: 'string' },
    6: { name: 'externalName', kind: 'string' },
  },
  ServicePort: {
    1: { name: 'name', kind: 'string' },
    2: { name: 'protocol', kind: 'string' },
    3: { name: 'port', kind: 'int' },
    4: { name: 'targetPort', kind: 'intOrString' },
    5: { name: 'nodePort', kind: 'int' },
  },
  IntOrString: { 1: { name: 'type', kind: 'int' }, 2: { name: 'intVal', kind: 'int' }, 3: { name: 'strVal', kind: 'string' } },
  ObjectReference: { 1: { name: 'kind', kind: 'string' }, 2: { name: 'namespace', kind: 'string' }, 3: { name: 'name', kind: 'string' } },
  LocalObjectReference: { 1: { name: 'name', kind: 'string' } },
  DeleteOptions: {
    1: { name: 'gracePeriodSeconds', kind: 'int', pointer: true },
    2: { name: 'preconditions', kind: { message: 'Preconditions' } },
    3: { name: 'orphanDependents', kind: 'bool', pointer: true },
    4: { name: 'propagationPolicy', kind: 'string' },
    5: { name: 'dryRun', kind: 'string', repeated: true },
  },
  Preconditions: { 1: { name: 'uid', kind: 'string' }, 2: { name: 'resourceVersion', kind: 'string' } },
  Role: { 1: { name: 'metadata', kind: { message: 'ObjectMeta' } }, 2: { name: 'rules', kind: { message: 'PolicyRule' }, repeated: true } },
  PolicyRule: {
    1: { name: 'verbs', kind: 'string', repeated: true },
    2: { name: 'apiGroups', kind: 'string', repeated: true },
    3: { name: 'resources', kind: 'string', repeated: true },
    4: { name: 'resourceNames', kind: 'string', repeated: true },
    5: { name: 'nonResourceURLs', kind: 'string', repeated: true },
  },
  RoleBinding: {
    1: { name: 'metadata', kind: { message: 'ObjectMeta' } },
    2: { name: 'subjects', kind: { message: 'Subject' }, repeated: true },
    3: { name: 'roleRef', kind: { message: 'RoleRef' } },
  },
  Subject: { 1: { name: 'kind', kind: 'string' }, 2: { name: 'apiGroup', kind: 'string' }, 3: { name: 'name', kind: 'string' }, 4: { name: 'namespace', kind: 'string' } },
  RoleRef: { 1: { name: 'apiGroup', kind: 'string' }, 2: { name: 'kind', kind: 'string' }, 3: { name: 'name', kind: 'string' } },
  SelfSubjectAccessReview: { 1: { name: 'metadata', kind: { message: 'ObjectMeta' } }, 2: { name: 'spec', kind: { message: 'SelfSubjectAccessReviewSpec' } } },
  SelfSubjectAccessReviewSpec: { 1: { name: 'resourceAttributes', kind: { message: 'ResourceAttributes' } }, 2: { name: 'nonResourceAttributes', kind: { message: 'NonResourceAttributes' } } },
  ResourceAttributes: {
    1: { name: 'namespace', kind: 'string' },
    2: { name: 'verb', kind: 'string' },
    3: { name: 'group', kind: 'string' },
    4: { name: 'version', kind: 'string' },
    5: { name: 'resource', kind: 'string' },
    6: { name: 'subresource', kind: 'string' },
    7: { name: 'name', kind: 'string' },
  },
  NonResourceAttributes: { 1: { name: 'path', kind: 'string' }, 2: { name: 'verb', kind: 'string' } },
  SelfSubjectRulesReview: { 1: { name: 'metadata', kind: { message: 'ObjectMeta' } }, 2: { name: 'spec', kind: { message: 'SelfSubjectRulesReviewSpec' } } },
  SelfSubjectRulesReviewSpec: { 1: { name: 'namespace', kind: 'string' } },
  Job: { 1: { name: 'metadata', kind: { message: 'ObjectMeta' } }, 2: { name: 'spec', kind: { message: 'JobSpec' } } },
  JobSpec: {
    1: { name: 'parallelism', kind: 'int', pointer: true },
    2: { name: 'completions', kind: 'int', pointer: true },
    3: { name: 'activeDeadlineSeconds', kind: 'int', pointer: true },
    4: { name: 'selector', kind: { message: 'LabelSelector' } },
    5: { name: 'manualSelector', kind: 'bool', pointer: true },
    6: { name: 'template', kind: { message: 'PodTemplateSpec' } },
    7: { name: 'backoffLimit', kind: 'int', pointer: true },
    8: { name: 'ttlSecondsAfterFinished', kind: 'int', pointer: true },
    9: { name: 'completionMode', kind: 'string', pointer: true },
    10: { name: 'suspend', kind: 'bool', pointer: true },
  },
};

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  }
  bytes(): Buffer {
    const len = Number(this.varint());
    if (this.pos + len > this.buf.length) throw new Error('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
}

function toSigned(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

function decodeMessage(buf: Buffer, type: string): JsonObject {
  const fields = messages[type];
  const out: JsonObject = {};
  const r = new Reader(buf);
  while (!r.done) {
    const tag = Number(r.varint());
    const field = fields[tag >> 3];
    const wireType = tag & 7;
    if (!field) {
      r.skip(wireType);
      continue;
    }
    const value = decodeValue(r, field.kind, wireType);
    if (!field.pointer && !field.repeated && isZero(value)) continue;
    if (typeof field.kind === 'object' && 'map' in field.kind) {
      const [k, v] = value as [string, unknown];
      out[field.name] = { ...((out[field.name] as JsonObject | undefined) ?? {}), [k]: v };
    } else if (field.repeated) {
      out[field.name] = [...((out[field.name] as unknown[] | undefined) ?? []), value];
    } else out[field.name] = value;
  }
  return out;
}

/** Go's zero values, which JSON would have left out (omitempty), including the zero Time. */
function isZero(value: unknown): boolean {
  return value === '' || value === 0 || value === false || value === null;
}

function decodeValue(r: Reader, kind: FieldKind, wireType: number): unknown {
  if (kind === 'int') return toSigned(r.varint());
  if (kind === 'bool') return r.varint() !== 0n;
  if (wireType !== 2) throw new Error('unexpected wire type');
  const bytes = r.bytes();
  if (kind === 'string') return bytes.toString('utf8');
  if (kind === 'bytes') return bytes;
  if (kind === 'intOrString') {
    const v = decodeMessage(bytes, 'IntOrString');
    return v.type === 1 ? String(v.strVal ?? '') : Number(v.intVal ?? 0);
  }
  if (kind === 'time') {
    const t = decodeMessage(bytes, 'Time');
    return t.seconds ? new Date(Number(t.seconds) * 1000).toISOString().replace(/\.\d+Z$/, 'Z') : null;
  }
  if ('message' in kind) return decodeMessage(bytes, kind.message);
  const entry = decodeMessage(bytes, kind.map === 'bytes' ? 'MapEntryBytes' : 'MapEntryString');
  const value = entry.value instanceof Buffer ? entry.value.toString('base64') : (entry.value ?? (kind.map === 'bytes' ? '' : ''));
  return [String(entry.key ?? ''), value];
}

messages.MapEntryString = { 1: { name: 'key', kind: 'string' }, 2: { name: 'value', kind: 'string', pointer: true } };
messages.MapEntryBytes = { 1: { name: 'key', kind: 'string' }, 2: { name: 'value', kind: 'bytes', pointer: true } };

const decodable = new Set([
  'Secret', 'ConfigMap', 'Namespace', 'ServiceAccount', 'Deployment', 'Service', 'DeleteOptions',
  'Role', 'RoleBinding', 'Job', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview',
]);

export function isProtobuf(contentType: string): boolean {
  return contentType === 'application/vnd.kubernetes.protobuf';
}

/** The JSON form of a protobuf-encoded request body, or 415 for a kind this server can't read. */
export function decodeProtobuf(body: Buffer): JsonObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) {
    throw new ApiError(400, 'BadRequest', 'the request body is not a Kubernetes protobuf envelope');
  }
  let envelope: JsonObject;
  try {
    envelope = decodeMessage(body.subarray(4), 'Unknown');
  } catch (err) {
    throw new ApiError(400, 'BadRequest', `the protobuf request body could not be decoded: ${(err as Error).message}`);
  }
  const typeMeta = (envelope.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const kind = typeMeta.kind ?? '';
  if (!decodable.has(kind)) {
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (protobuf is read only for ${[...decodable].join(', ')})`);
  }
  try {
    const obj = decodeMessage((envelope.raw as Buffer | undefined) ?? Buffer.alloc(0), kind);
    return { apiVersion: typeMeta.apiVersion, kind, ...obj };
  } catch (err) {
    throw new ApiError(400, 'BadRequest', `the protobuf ${kind} could not be decoded: ${(err as Error).message}`);
  }
}
