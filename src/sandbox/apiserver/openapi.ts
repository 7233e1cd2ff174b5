/**
 * OpenAPI v3, as much as kubectl uses: the index of group-versions, and per group-version the
 * operations (so kubectl sees that PATCH takes fieldValidation and leaves validation to the
 * server) plus the schemas of custom resources (for kubectl explain).
 */
import { createHash } from 'node:crypto';
import { KUBE_VERSION } from './discovery.js';
import type { ResourceType } from './resource-type.js';

function gvPath(t: { group: string; version: string }): string {
  return t.group ? `apis/${t.group}/${t.version}` : `api/${t.version}`;
}

/** kube's definition names: Go package paths for built-ins (io.k8s.api.apps.v1.Deployment), the reversed group for custom resources. */
export function schemaName(t: ResourceType): string {
  if (t.crd) return `${t.group.split('.').reverse().join('.')}.${t.version}.${t.kind}`;
  if (t.group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${t.version}.${t.kind}`;
  return `io.k8s.api.${t.group ? t.group.split('.')[0] : 'core'}.${t.version}.${t.kind}`;
}

const queryParam = (name: string): Record<string, unknown> => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });

export function openApiDocument(types: ResourceType[], gv: string): Record<string, unknown> | undefined {
  const ts = types.filter((t) => gvPath(t) === gv);
  if (!ts.length) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const t of ts) {
    const gvk = { group: t.group, version: t.version, kind: t.kind };
    const ref = { $ref: `#/components/schemas/${schemaName(t)}` };
    const body = { content: { 'application/json': { schema: ref } } };
    const ok = { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } };
    const base = `/${gv}/${t.namespaced ? 'namespaces/{namespace}/' : ''}${t.plural}`;
    const op = (action: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      operationId: `${action}${t.kind}`,
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      responses: ok,
      ...extra,
    });
    const writeParams = ['dryRun', 'fieldManager', 'fieldValidation'].map(queryParam);
    paths[base] = {
      get: op('list'),
      post: op('post', { parameters: writeParams, requestBody: body }),
    };
    paths[`${base}/{name}`] = {
      get: op('get'),
      put: op('put', { parameters: writeParams, requestBody: body }),
      patch: op('patch', { parameters: [...writeParams, queryParam('force')], requestBody: { content: { 'application/merge-patch+json': { schema: { type: 'object' } } } } }),
      delete: op('delete'),
    };
    schemas[schemaName(t)] = {
      ...(t.schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }),
      'x-kubernetes-group-version-kind': [gvk],
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: KUBE_VERSION.gitVersion },
    paths,
    components: { schemas },
  };
}

export function openApiIndex(types: ResourceType[]): Record<string, unknown> {
  const gvs = [...new Set(types.map(gvPath))];
  const paths: Record<string, unknown> = {};
  for (const gv of gvs) {
    const hash = createHash('sha512').update(JSON.stringify(openApiDocument(types, gv))).digest('hex').slice(0, 128);
    paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${hash.toUpperCase()}` };
  }
  return { paths };
}

