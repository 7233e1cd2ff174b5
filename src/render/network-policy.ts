/**
 * NetworkPolicies of a stack (when spec.networkPolicy.enabled): everything denied, then exactly
 * the paths the stack uses: DNS, world -> HAProxy, HAProxy -> apps, apps -> MySQL,
 * MySQL <-> MySQL (replication), the operator's pods -> MySQL, the operator's pods -> the agents
 * (and agent <-> agent of the stack, which carries a rebuild's copy), the operator's pods ->
 * HAProxy's admin port (run-time weights), the operator's pods -> the backup store, and the named
 * namespaces -> HAProxy's stats port and the database pods' mysqld-exporter.
 */
import type { ResolvedSpec } from '../api/defaults.js';
import {
  componentSelector, LABEL_COMPONENT, LABEL_NAME, LABEL_STACK, MANAGER, names, stackLabels, type Component,
} from '../api/labels.js';
import type { WebStack } from '../api/types.js';
import { HAPROXY_PORTS } from './haproxy-config.js';
import { MYSQL_PORT } from './mysql-config.js';
import { AGENT_PORT } from '../agent/protocol.js';
import { STORE_PORT } from '../backup/store-protocol.js';
import { usesBackupVolume } from './backup-store.js';
import { EXPORTER_PORT } from './mysqld-exporter.js';
import { ownedMetadata, type KubeObject } from './object.js';
// Types only (erased at build): the compiler checks every field name against the Kubernetes API.
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';
import type { INetworkPolicySpec } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicySpec';

/** The label every namespace carries (set by the API server since Kubernetes 1.22). */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const DNS_NAMESPACE = 'kube-system';
const DNS_PORT = 53;

type Peer = INetworkPolicyPeer;
type Port = INetworkPolicyPort & { protocol: 'TCP' | 'UDP'; port: number };
type Rules = Pick<INetworkPolicySpec, 'ingress' | 'egress'>;

const tcp = (port: number): Port => ({ protocol: 'TCP', port });
const podsOf = (stack: string, component: Component): Peer => ({ podSelector: { matchLabels: componentSelector(stack, component) } });
const namespaceNamed = (namespace: string): Peer => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } } });
/** The operator's own pods (the chart labels them app.kubernetes.io/name), not every pod of its namespace. */
const operatorPods = (namespace: string): Peer => ({ ...namespaceNamed(namespace), podSelector: { matchLabels: { [LABEL_NAME]: MANAGER } } });

function stackWideLabels(stack: string): Record<string, string> {
  const labels = stackLabels(stack, 'app');
  delete labels[LABEL_NAME];
  delete labels[LABEL_COMPONENT];
  return labels;
}

function policy(
  ws: WebStack, purpose: string, labels: Record<string, string>, podSelector: Record<string, string>, rules: Rules,
): KubeObject {
  const policyTypes: INetworkPolicySpec['policyTypes'] = [...(rules.ingress ? ['Ingress' as const] : []), ...(rules.egress ? ['Egress' as const] : [])];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: ownedMetadata(ws, names.networkPolicy(ws.metadata.name, purpose), labels),
    spec: { podSelector: { matchLabels: podSelector }, policyTypes, ...rules } satisfies INetworkPolicySpec,
  };
}

export function renderNetworkPolicies(ws: WebStack, spec: ResolvedSpec): KubeObject[] {
  if (!spec.networkPolicy.enabled) return [];
  const stack = ws.metadata.name;
  const allStackPods = { [LABEL_STACK]: stack };
  const appPorts = [...new Set(spec.apps.map((a) => a.port))].sort((a, b) => a - b).map(tcp);
  const mysql = [tcp(MYSQL_PORT)];
  const scrapers = spec.networkPolicy.statsFromNamespaces.map(namespaceNamed);
  return [
    // Selecting the pods with both policy types and no rules denies everything not allowed below.
    policy(ws, 'default-deny', stackWideLabels(stack), allStackPods, { ingress: [], egress: [] }),
    policy(ws, 'allow-dns', stackWideLabels(stack), allStackPods, {
      egress: [{ to: [namespaceNamed(DNS_NAMESPACE)], ports: [{ protocol: 'UDP', port: DNS_PORT }, tcp(DNS_PORT)] }],
    }),
    policy(ws, 'allow-haproxy', stackLabels(stack, 'loadbalancer'), componentSelector(stack, 'loadbalancer'), {
      // Clients and the cloud load balancer from anywhere; the stats and metrics port only from the namespaces named.
      ingress: [
        { ports: [tcp(HAPROXY_PORTS.http), tcp(HAPROXY_PORTS.https)] },
        { from: [operatorPods(spec.networkPolicy.operatorNamespace)], ports: [tcp(HAPROXY_PORTS.admin)] },
        ...(scrapers.length > 0 ? [{ from: scrapers, ports: [tcp(HAPROXY_PORTS.stats)] }] : []),
      ],
      egress: [{ to: [podsOf(stack, 'app')], ports: appPorts }],
    }),
    policy(ws, 'allow-apps', stackLabels(stack, 'app'), componentSelector(stack, 'app'), {
      ingress: [{ from: [podsOf(stack, 'loadbalancer')], ports: appPorts }],
      egress: [{ to: [podsOf(stack, 'database')], ports: mysql }],
    }),
    policy(ws, 'allow-mysql', stackLabels(stack, 'database'), componentSelector(stack, 'database'), {
      ingress: [{
        from: [podsOf(stack, 'app'), podsOf(stack, 'database'), operatorPods(spec.networkPolicy.operatorNamespace)],
        ports: mysql,
      }, {
        from: [podsOf(stack, 'database'), operatorPods(spec.networkPolicy.operatorNamespace)],
        ports: [tcp(AGENT_PORT)],
      }, ...(scrapers.length > 0 ? [{ from: scrapers, ports: [tcp(EXPORTER_PORT)] }] : [])],
      // Replicas connect to the primary; an agent fetches a rebuild's copy from a donor's agent.
      egress: [{ to: [podsOf(stack, 'database')], ports: [...mysql, tcp(AGENT_PORT)] }],
    }),
    // The backup store answers the operator alone and calls no one.
    ...(usesBackupVolume(ws) ? [policy(ws, 'allow-backup-store', stackLabels(stack, 'backup-store'), componentSelector(stack, 'backup-store'), {
      ingress: [{ from: [operatorPods(spec.networkPolicy.operatorNamespace)], ports: [tcp(STORE_PORT)] }],
    })] : []),
  ];
}
