/**
 * NetworkPolicies judged by what they allow: a small evaluator of the NetworkPolicy semantics
 * (pod and namespace selectors, ports, policy types) answers "may A talk to B on port P?".
 */
import { describe, expect, it } from '@jest/globals';
import { componentSelector } from '../../src/api/labels.js';
import { renderNetworkPolicies } from '../../src/render/network-policy.js';
import type { KubeObject } from '../../src/render/object.js';
import type { Loose } from './find.js';
import { withSpec } from './fixtures.js';

interface Endpoint { namespace?: string; labels?: Record<string, string> }

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> = {}) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

function peerMatches(peer: Loose, policyNamespace: string, other: Endpoint): boolean {
  if (other.namespace === undefined) return false; // outside the cluster: only a rule without peers admits it
  const nsOk = peer.namespaceSelector
    ? matches(peer.namespaceSelector.matchLabels, { 'kubernetes.io/metadata.name': other.namespace })
    : other.namespace === policyNamespace;
  const podOk = peer.podSelector ? matches(peer.podSelector.matchLabels, other.labels) : true;
  return nsOk && podOk;
}

function allowedBy(policies: KubeObject[], direction: 'Ingress' | 'Egress', self: Endpoint, other: Endpoint, port: number, protocol: string): boolean {
  const selecting = policies.filter((p: Loose) => p.metadata.namespace === self.namespace
    && matches(p.spec.podSelector.matchLabels, self.labels) && p.spec.policyTypes.includes(direction));
  if (selecting.length === 0) return true;
  return selecting.some((p: Loose) => (direction === 'Ingress' ? p.spec.ingress : p.spec.egress).some((rule: Loose) => {
    const peers = direction === 'Ingress' ? rule.from : rule.to;
    const peerOk = !peers || peers.some((peer: Loose) => peerMatches(peer, p.metadata.namespace, other));
    const portOk = !rule.ports || rule.ports.some((r: Loose) => r.port === port && (r.protocol ?? 'TCP') === protocol);
    return peerOk && portOk;
  }));
}

function allowed(policies: KubeObject[], from: Endpoint, to: Endpoint, port: number, protocol = 'TCP'): boolean {
  const egress = from.namespace === undefined || allowedBy(policies, 'Egress', from, to, port, protocol);
  const ingress = to.namespace === undefined || allowedBy(policies, 'Ingress', to, from, port, protocol);
  return egress && ingress;
}

const [ws, spec] = withSpec({
  apps: [{ name: 'web', image: 'a', port: 8080 }, { name: 'api', image: 'b', port: 9000 }],
  networkPolicy: { operatorNamespace: 'ops', statsFromNamespaces: ['monitoring'] },
});
const policies = renderNetworkPolicies(ws, spec);

const pod = (component: 'loadbalancer' | 'app' | 'database', tier?: string): Endpoint => ({ namespace: 'shop', labels: componentSelector('shop', component, tier) });
const haproxy = pod('loadbalancer');
const web = pod('app', 'web');
const api = pod('app', 'api');
const mysql = pod('database');
const world: Endpoint = {};
const operator: Endpoint = { namespace: 'ops', labels: { 'app.kubernetes.io/name': 'webstack-operator' } };
const operatorNeighbour: Endpoint = { namespace: 'ops', labels: { app: 'something-else' } };
const prometheus: Endpoint = { namespace: 'monitoring', labels: { app: 'prometheus' } };
const stranger: Endpoint = { namespace: 'other', labels: {} };
const dns: Endpoint = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
const otherStack: Endpoint = { namespace: 'shop', labels: componentSelector('blog', 'database') };

describe('renderNetworkPolicies', () => {
  it('renders nothing when disabled', () => {
    const [w, s] = withSpec({ networkPolicy: { enabled: false } });
    expect(renderNetworkPolicies(w, s)).toEqual([]);
  });

  it('renders a default deny for every pod of the stack and one policy per path', () => {
    expect(policies.map((p) => p.metadata.name)).toEqual(['shop-default-deny', 'shop-allow-dns', 'shop-allow-haproxy', 'shop-allow-apps', 'shop-allow-mysql']);
    const deny = policies[0] as Loose;
    expect(deny.spec).toEqual({ podSelector: { matchLabels: { 'webstack.dev/stack': 'shop' } }, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] });
  });

  it.each<[string, Endpoint, Endpoint, number, string, boolean]>([
    ['world -> haproxy http', world, haproxy, 8080, 'TCP', true],
    ['world -> haproxy https', world, haproxy, 8443, 'TCP', true],
    ['world -> haproxy stats', world, haproxy, 8404, 'TCP', false],
    ['another namespace -> haproxy stats', stranger, haproxy, 8404, 'TCP', false],
    ['a named monitoring namespace -> haproxy stats', prometheus, haproxy, 8404, 'TCP', true],
    ['world -> haproxy on another port', world, haproxy, 22, 'TCP', false],
    ['world -> app', world, web, 8080, 'TCP', false],
    ['world -> mysql', world, mysql, 3306, 'TCP', false],
    ['haproxy -> web tier', haproxy, web, 8080, 'TCP', true],
    ['haproxy -> api tier', haproxy, api, 9000, 'TCP', true],
    ['haproxy -> mysql', haproxy, mysql, 3306, 'TCP', false],
    ['app -> mysql', web, mysql, 3306, 'TCP', true],
    ['app -> app', web, api, 9000, 'TCP', false],
    ['app -> the world', web, world, 443, 'TCP', false],
    ['mysql -> mysql (replication)', mysql, mysql, 3306, 'TCP', true],
    ['mysql -> app', mysql, web, 8080, 'TCP', false],
    ['operator pods -> mysql', operator, mysql, 3306, 'TCP', true],
    ['another pod of the operator namespace -> mysql', operatorNeighbour, mysql, 3306, 'TCP', false],
    ['another namespace -> mysql', stranger, mysql, 3306, 'TCP', false],
    ['operator pods -> the agent', operator, mysql, 3390, 'TCP', true],
    ['agent -> agent (a rebuild\'s copy)', mysql, mysql, 3390, 'TCP', true],
    ['another pod of the operator namespace -> the agent', operatorNeighbour, mysql, 3390, 'TCP', false],
    ['app -> the agent', web, mysql, 3390, 'TCP', false],
    ['another stack\'s mysql -> the agent', otherStack, mysql, 3390, 'TCP', false],
    ['a named monitoring namespace -> mysqld-exporter', prometheus, mysql, 9104, 'TCP', true],
    ['another namespace -> mysqld-exporter', stranger, mysql, 9104, 'TCP', false],
    ['app -> mysqld-exporter', web, mysql, 9104, 'TCP', false],
    ['operator namespace -> app', operator, web, 8080, 'TCP', false],
    ['app -> DNS over UDP', web, dns, 53, 'UDP', true],
    ['mysql -> DNS over TCP', mysql, dns, 53, 'TCP', true],
    ['haproxy -> DNS', haproxy, dns, 53, 'UDP', true],
    ['app -> kube-system on another port', web, dns, 443, 'TCP', false],
    ['app -> another stack\'s mysql in the namespace', web, otherStack, 3306, 'TCP', false],
  ])('%s', (_name, from, to, port, protocol, expected) => {
    expect(allowed(policies, from, to, port, protocol)).toBe(expected);
  });
});
