/** meta.k8s.io/v1 Table responses: what `kubectl get` prints, with a CRD's additionalPrinterColumns. */
import { evaluateJsonPath } from './jsonpath.js';
import type { PrinterColumn, ResourceType } from './resource-type.js';
import type { KubeObject } from './types.js';

/** `5s`, `3m`, `2h`, `4d`: kube's short human durations. */
export function humanAge(since: string | undefined, now = Date.now()): string {
  if (!since) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

function columnsOf(type: ResourceType): PrinterColumn[] {
  const name: PrinterColumn = { name: 'Name', type: 'string', format: 'name', jsonPath: '.metadata.name', description: 'Name must be unique within a namespace.' };
  const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' };
  if (type.crd) return [name, ...(type.printerColumns.length ? type.printerColumns : [age])];
  // kube's built-in printers declare AGE a string they format themselves, and put it before the -o wide columns.
  const builtinAge: PrinterColumn = { ...age, type: 'string', compute: (o) => humanAge((o.metadata as { creationTimestamp?: string } | undefined)?.creationTimestamp) };
  const wide = type.printerColumns.filter((c) => (c.priority ?? 0) > 0);
  return [name, ...type.printerColumns.filter((c) => !wide.includes(c)), builtinAge, ...wide];
}

function cell(obj: KubeObject, column: PrinterColumn): unknown {
  if (column.compute) return column.compute(obj);
  const values = evaluateJsonPath(obj, column.jsonPath);
  if (!values.length) return null;
  const v = values[0];
  if (column.type === 'date') return typeof v === 'string' ? humanAge(v) : null;
  if (column.type === 'integer' || column.type === 'number' || column.type === 'boolean') return v;
  return values.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(',');
}

export type IncludeObject = 'None' | 'Object' | 'PartialObjectMetadata';

export function toTable(type: ResourceType, objects: KubeObject[], include: IncludeObject, listMeta: Record<string, unknown>): Record<string, unknown> {
  const columns = columnsOf(type);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description ?? '',
      priority: c.priority ?? 0,
    })),
    rows: objects.map((o) => ({
      cells: columns.map((c) => cell(o, c)),
      ...(include === 'None'
        ? {}
        : { object: include === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata } }),
    })),
  };
}
