import { describe, expect, it } from '@jest/globals';
import { allowedBy, requestAttributes, type PolicyRule } from './rbac.js';

describe('RBAC request attributes and rule matching (test helper)', () => {
  it.each([
    ['GET', '/api/v1/pods', { verb: 'list', group: '', resource: 'pods' }],
    ['GET', '/api/v1/namespaces/a/pods?watch=true&resourceVersion=4', { verb: 'watch', group: '', resource: 'pods', namespace: 'a' }],
    ['GET', '/apis/apps/v1/namespaces/a/deployments/web', { verb: 'get', group: 'apps', resource: 'deployments', namespace: 'a', name: 'web' }],
    ['PATCH', '/apis/webstack.dev/v1alpha1/namespaces/a/webstacks/shop/status', { verb: 'patch', group: 'webstack.dev', resource: 'webstacks/status', namespace: 'a', name: 'shop' }],
    ['POST', '/apis/coordination.k8s.io/v1/namespaces/ops/leases', { verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: 'ops' }],
    ['DELETE', '/api/v1/namespaces/a/secrets', { verb: 'deletecollection', group: '', resource: 'secrets', namespace: 'a' }],
  ])('%s %s', (method, url, attrs) => {
    expect(requestAttributes(method, url)).toEqual({ namespace: undefined, name: undefined, ...attrs });
  });

  it('leaves discovery and other non-resource URLs out', () => {
    for (const url of ['/api', '/apis', '/api/v1', '/apis/apps/v1', '/version', '/openapi/v2']) expect(requestAttributes('GET', url)).toBeUndefined();
  });

  it('matches group, resource and verb; resourceNames never allow create or list', () => {
    const rules: PolicyRule[] = [
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['lead'], verbs: ['get', 'update', 'create', 'list'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
    ];
    const lease = (verb: string, name?: string) => ({ verb, group: 'coordination.k8s.io', resource: 'leases', namespace: 'ops', name });
    expect(allowedBy(rules, lease('get', 'lead'))).toBe(true);
    expect(allowedBy(rules, lease('get', 'other'))).toBe(false);
    expect(allowedBy(rules, lease('create'))).toBe(false);
    expect(allowedBy(rules, lease('list'))).toBe(false);
    expect(allowedBy(rules, { verb: 'get', group: '', resource: 'pods', name: 'p' })).toBe(true);
    expect(allowedBy(rules, { verb: 'get', group: '', resource: 'pods/log', name: 'p' })).toBe(false);
    expect(allowedBy(rules, { verb: 'get', group: 'apps', resource: 'pods', name: 'p' })).toBe(false);
  });
});
