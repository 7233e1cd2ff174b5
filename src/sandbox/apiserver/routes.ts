/** Parses a request path into what it addresses: discovery, OpenAPI, or a resource (collection, object, subresource). */

export type Route =
  | { kind: 'root' | 'version' | 'health' | 'coreVersions' | 'groups' | 'openapiIndex' | 'openapiV2' }
  | { kind: 'group'; group: string }
  | { kind: 'resourceList'; group: string; version: string }
  | { kind: 'openapi'; gv: string }
  | {
      kind: 'resource';
      group: string;
      version: string;
      plural: string;
      namespace?: string;
      name?: string;
      subresource?: string;
      /** The deprecated /watch/ path prefix. */
      watchPrefix: boolean;
    }
  | { kind: 'unknown' };

export function parseRoute(pathname: string): Route {
  const segs = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (!segs.length) return { kind: 'root' };
  if (segs[0] === 'version') return { kind: 'version' };
  if (['healthz', 'livez', 'readyz'].includes(segs[0])) return { kind: 'health' };
  if (segs[0] === 'openapi') {
    if (segs[1] === 'v2') return { kind: 'openapiV2' };
    if (segs[1] === 'v3') return segs.length === 2 ? { kind: 'openapiIndex' } : { kind: 'openapi', gv: segs.slice(2).join('/') };
    return { kind: 'unknown' };
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api') {
    if (segs.length === 1) return { kind: 'coreVersions' };
    [group, version, rest] = ['', segs[1], segs.slice(2)];
  } else if (segs[0] === 'apis') {
    if (segs.length === 1) return { kind: 'groups' };
    if (segs.length === 2) return { kind: 'group', group: segs[1] };
    [group, version, rest] = [segs[1], segs[2], segs.slice(3)];
  } else return { kind: 'unknown' };
  if (!rest.length) return { kind: 'resourceList', group, version };
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  // /namespaces/{ns}/{plural}/... is namespaced; /namespaces/{name}[/status|finalize] is the Namespace itself.
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(group === '' && ['status', 'finalize'].includes(rest[2]) && rest.length === 3)) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  if (extra.length) return { kind: 'unknown' };
  return { kind: 'resource', group, version, plural, namespace, name, subresource, watchPrefix };
}
