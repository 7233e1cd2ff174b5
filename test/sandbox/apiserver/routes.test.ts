import { describe, expect, it } from '@jest/globals';
import { compareVersions } from '../../../src/sandbox/apiserver/discovery.js';
import { parseRoute } from '../../../src/sandbox/apiserver/routes.js';

describe('request paths', () => {
  it.each([
    ['/api', { kind: 'coreVersions' }],
    ['/apis', { kind: 'groups' }],
    ['/apis/apps', { kind: 'group', group: 'apps' }],
    ['/apis/apps/v1', { kind: 'resourceList', group: 'apps', version: 'v1' }],
    ['/openapi/v3', { kind: 'openapiIndex' }],
    ['/openapi/v3/apis/apps/v1', { kind: 'openapi', gv: 'apis/apps/v1' }],
    ['/api/v1/namespaces', { kind: 'resource', group: '', version: 'v1', plural: 'namespaces', watchPrefix: false }],
    ['/api/v1/namespaces/default', { kind: 'resource', group: '', version: 'v1', plural: 'namespaces', name: 'default', watchPrefix: false }],
    ['/api/v1/namespaces/default/status', { kind: 'resource', group: '', version: 'v1', plural: 'namespaces', name: 'default', subresource: 'status', watchPrefix: false }],
    ['/api/v1/namespaces/default/pods/p/status', { kind: 'resource', group: '', version: 'v1', plural: 'pods', namespace: 'default', name: 'p', subresource: 'status', watchPrefix: false }],
    ['/apis/apps/v1/watch/namespaces/ns/deployments', { kind: 'resource', group: 'apps', version: 'v1', plural: 'deployments', namespace: 'ns', watchPrefix: true }],
    ['/apis/webstack.dev/v1alpha1/webstacks', { kind: 'resource', group: 'webstack.dev', version: 'v1alpha1', plural: 'webstacks', watchPrefix: false }],
  ])('%s', (path, expected) => {
    const r = parseRoute(path);
    expect(Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined))).toEqual(expected);
  });
});

describe('version priority', () => {
  it('sorts like kube: GA, beta, alpha, higher first, others last by name', () => {
    expect(['v1alpha1', 'foo', 'v1beta1', 'v2', 'v1', 'v1beta2', 'bar', 'v2alpha1'].sort(compareVersions)).toEqual(['v2', 'v1', 'v1beta2', 'v1beta1', 'v2alpha1', 'v1alpha1', 'bar', 'foo']);
  });
});
