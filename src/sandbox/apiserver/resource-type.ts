/** What the server knows about one served resource (a built-in kind or a CRD version). */
import type { JsonObject } from './types.js';

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
  /** Built-in columns kube computes rather than reads (READY as "1/2", DATA as a count). */
  compute?: (obj: JsonObject) => unknown;
}

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Has a /status subresource: main writes ignore status, status writes change only status. */
  statusSubresource: boolean;
  /** Has a /scale subresource (autoscaling/v1 Scale): where the replica counts and selector live. */
  scale?: ScalePaths;
  /** metadata.generation is kept and bumped when anything but metadata and status changes. */
  hasGeneration: boolean;
  /** OpenAPI v3 schema of the whole object (CRDs); built-ins are not schema-checked. */
  schema?: JsonObject;
  printerColumns: PrinterColumn[];
  /** Extra fields list and watch can select on (a CRD version's selectableFields). */
  selectableFields: string[];
  /** The store key of another resource holding these objects (events.k8s.io Events live with core Events). */
  storedIn?: string;
  /** The verbs discovery lists, when not all of VERBS (reviews can only be created). */
  verbs?: string[];
  /** The CustomResourceDefinition that serves it; undefined for built-ins. */
  crd?: string;
}

export interface ScalePaths {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function apiVersionOf(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** Objects are stored once per group and resource, whatever version they were written in. */
export function storageKey(t: { group: string; plural: string; storedIn?: string }): string {
  return t.storedIn ?? `${t.group}/${t.plural}`;
}
