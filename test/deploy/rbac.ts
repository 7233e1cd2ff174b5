/** Kubernetes RBAC authorization of a REST request, as the API server decides it (resource requests only). */

export type PolicyRule = { apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; verbs: string[] };

export type RequestAttributes = { verb: string; group: string; resource: string; namespace?: string; name?: string };

/** The RBAC attributes of a request, or undefined for a non-resource URL (discovery, /version, /openapi). */
export function requestAttributes(method: string, url: string): RequestAttributes | undefined {
  const u = new URL(url, 'http://x');
  const parts = u.pathname.split('/').filter(Boolean);
  let rest: string[];
  let group: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource] = rest;
  const resource = subresource ? `${plural}/${subresource}` : plural;
  const watch = ['1', 'true'].includes(u.searchParams.get('watch') ?? '');
  const verb = { GET: name ? 'get' : watch ? 'watch' : 'list', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: name ? 'delete' : 'deletecollection' }[method];
  if (!verb) throw new Error(`no RBAC verb for ${method}`);
  return { verb, group, resource, namespace, name };
}

/** Whether `rules` allow the request (resourceNames never allow list, watch or create, as in Kubernetes). */
export function allowedBy(rules: PolicyRule[], a: RequestAttributes): boolean {
  return rules.some((r) =>
    (r.apiGroups ?? []).includes(a.group) &&
    (r.resources ?? []).includes(a.resource) &&
    r.verbs.includes(a.verb) &&
    (!r.resourceNames || (a.name !== undefined && r.resourceNames.includes(a.name))));
}
