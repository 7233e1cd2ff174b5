/**
 * OpenAPI v2 (/openapi/v2), as much as Argo CD's cluster cache and kubectl's older paths read:
 * one definition per kind, tagged with its group-version-kind; custom resources carry their
 * schema, built-ins an open object (their schemas are not modelled here). JSON only.
 */
import { KUBE_VERSION } from './discovery.js';
import { schemaName } from './openapi.js';
import type { ResourceType } from './resource-type.js';

export function openApiV2(types: ResourceType[]): Record<string, unknown> {
  const definitions: Record<string, unknown> = {};
  for (const t of types) {
    const gvk = { group: t.group, version: t.version, kind: t.kind };
    definitions[schemaName(t)] = { ...(t.schema ?? { type: 'object' }), 'x-kubernetes-group-version-kind': [gvk] };
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version: KUBE_VERSION.gitVersion }, paths: {}, definitions };
}
