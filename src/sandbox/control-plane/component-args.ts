/**
 * The command lines of etcd, kube-apiserver, kube-controller-manager and kube-scheduler for a
 * one-machine control plane on loopback. Pure: paths and ports in, argument lists out.
 */

import { NODE_SERVICE_CIDR, NODE_SERVICE_NETWORK } from '../runtime/pod-network.js';

/** The Service range the API server hands cluster IPs from; the node's runtime makes them answer here. */
export const SERVICE_CIDR = NODE_SERVICE_CIDR;
/** The first address of SERVICE_CIDR: the `kubernetes` Service. */
export const KUBERNETES_SERVICE_IP = `${NODE_SERVICE_NETWORK.join('.')}.0.1`;
export const CLUSTER_DOMAIN = 'cluster.local';
/** The one Node: the sandbox's local runtime. */
export const NODE_NAME = 'sandbox';

export interface Layout {
  /** Certificates and keys (see pki.ts). */
  pki: string;
  /** The audit policy file and the log it writes. */
  audit: { policy: string; log: string };
  etcdData: string;
  /** Kubeconfig files by component. */
  kubeconfigs: { controllerManager: string; scheduler: string };
}

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
}

export function etcdArgs(layout: Layout, ports: Ports): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    '--name=sandbox', `--data-dir=${layout.etcdData}`,
    `--listen-client-urls=${client}`, `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`, `--initial-advertise-peer-urls=${peer}`, `--initial-cluster=sandbox=${peer}`,
    // A sandbox's data is disposable: skipping fsync keeps writes at memory speed on a busy disk.
    '--unsafe-no-fsync=true', '--log-level=warn',
  ];
}

export function apiserverArgs(layout: Layout, ports: Ports): string[] {
  const pki = (f: string) => `${layout.pki}/${f}`;
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${ports.apiserver}`,
    `--tls-cert-file=${pki('apiserver.crt')}`, `--tls-private-key-file=${pki('apiserver.key')}`,
    `--client-ca-file=${pki('ca.crt')}`,
    `--kubelet-client-certificate=${pki('apiserver-kubelet-client.crt')}`, `--kubelet-client-key=${pki('apiserver-kubelet-client.key')}`,
    '--kubelet-preferred-address-types=InternalIP',
    `--service-account-issuer=https://kubernetes.default.svc.${CLUSTER_DOMAIN}`,
    `--service-account-key-file=${pki('sa.pub')}`, `--service-account-signing-key-file=${pki('sa.key')}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--authorization-mode=Node,RBAC', '--allow-privileged=true',
    `--cert-dir=${layout.pki}/generated`, '--profiling=false', '--v=1',
    `--audit-policy-file=${layout.audit.policy}`, `--audit-log-path=${layout.audit.log}`, '--audit-log-format=json',
  ];
}

/**
 * Metadata level only (who, what, which object, the answer; never a body, so no Secret value):
 * every write, and every request of a workload's service account (the operator's reads
 * included, so a 403 anywhere shows). The control plane's own reads are left out.
 */
export const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    userGroups: [system:serviceaccounts:kube-system, system:nodes]
    verbs: [get, list, watch]
  - level: None
    users: [system:kube-controller-manager, system:kube-scheduler, system:apiserver]
    verbs: [get, list, watch]
  - level: Metadata
    verbs: [create, update, patch, delete, deletecollection]
  - level: Metadata
    userGroups: [system:serviceaccounts]
  - level: None
`;

export function controllerManagerArgs(layout: Layout, ports: Ports): string[] {
  const pki = (f: string) => `${layout.pki}/${f}`;
  const kc = layout.kubeconfigs.controllerManager;
  return [
    `--kubeconfig=${kc}`, `--authentication-kubeconfig=${kc}`, `--authorization-kubeconfig=${kc}`,
    '--bind-address=127.0.0.1', `--secure-port=${ports.controllerManager}`,
    // Each controller acts under its own service account, so the bootstrap RBAC policy applies as on a cluster.
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${pki('sa.key')}`, `--root-ca-file=${pki('ca.crt')}`,
    `--cluster-signing-cert-file=${pki('ca.crt')}`, `--cluster-signing-key-file=${pki('ca.key')}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--controllers=*', '--leader-elect=false', '--profiling=false', '--v=1',
  ];
}

export function schedulerArgs(layout: Layout, ports: Ports): string[] {
  const kc = layout.kubeconfigs.scheduler;
  return [
    `--kubeconfig=${kc}`, `--authentication-kubeconfig=${kc}`, `--authorization-kubeconfig=${kc}`,
    '--bind-address=127.0.0.1', `--secure-port=${ports.scheduler}`,
    '--leader-elect=false', '--profiling=false', '--v=1',
  ];
}
