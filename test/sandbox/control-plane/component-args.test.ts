import { describe, expect, it } from '@jest/globals';
import {
  apiserverArgs, AUDIT_POLICY, controllerManagerArgs, etcdArgs, KUBERNETES_SERVICE_IP, schedulerArgs, SERVICE_CIDR, type Layout, type Ports,
} from '../../../src/sandbox/control-plane/component-args.js';
import { parse } from 'yaml';

const layout: Layout = {
  pki: '/s/pki', etcdData: '/s/etcd', audit: { policy: '/s/audit.yaml', log: '/s/logs/audit.log' },
  kubeconfigs: { controllerManager: '/s/cm.kubeconfig', scheduler: '/s/sched.kubeconfig' },
};
const ports: Ports = { etcdClient: 1001, etcdPeer: 1002, apiserver: 1003, controllerManager: 1004, scheduler: 1005 };

/** `--name=value` flags as a map; a flag given twice would be a mistake, so it fails here. */
function flags(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const m = /^--([^=]+)=(.*)$/.exec(a);
    if (!m) throw new Error(`not a --flag=value: ${a}`);
    if (m[1] in out) throw new Error(`--${m[1]} given twice`);
    out[m[1]] = m[2];
  }
  return out;
}

describe('control plane command lines', () => {
  it('etcd listens on loopback only, client and peer apart', () => {
    const f = flags(etcdArgs(layout, ports));
    expect(f['listen-client-urls']).toBe('http://127.0.0.1:1001');
    expect(f['listen-peer-urls']).toBe('http://127.0.0.1:1002');
    expect(f['initial-cluster']).toBe('sandbox=http://127.0.0.1:1002');
    expect(f['data-dir']).toBe('/s/etcd');
  });

  it('kube-apiserver: TLS on loopback, RBAC, service-account tokens, audit of writes', () => {
    const f = flags(apiserverArgs(layout, ports));
    expect(f).toMatchObject({
      'etcd-servers': 'http://127.0.0.1:1001', 'bind-address': '127.0.0.1', 'secure-port': '1003',
      'authorization-mode': 'Node,RBAC', 'client-ca-file': '/s/pki/ca.crt',
      'service-account-key-file': '/s/pki/sa.pub', 'service-account-signing-key-file': '/s/pki/sa.key',
      'service-cluster-ip-range': SERVICE_CIDR, 'audit-policy-file': '/s/audit.yaml', 'audit-log-path': '/s/logs/audit.log',
    });
    expect(f['tls-cert-file']).toBe('/s/pki/apiserver.crt');
  });

  it('the kubernetes Service address is the first of the service range', () => {
    const [net] = SERVICE_CIDR.split('/');
    expect(KUBERNETES_SERVICE_IP).toBe(net.replace(/\.0$/, '.1'));
  });

  it('controllers and scheduler use their own kubeconfigs; controllers sign with the service-account key', () => {
    const cm = flags(controllerManagerArgs(layout, ports));
    expect(cm).toMatchObject({
      kubeconfig: '/s/cm.kubeconfig', 'secure-port': '1004', 'use-service-account-credentials': 'true',
      'service-account-private-key-file': '/s/pki/sa.key', 'root-ca-file': '/s/pki/ca.crt', controllers: '*',
    });
    expect(flags(schedulerArgs(layout, ports))).toMatchObject({ kubeconfig: '/s/sched.kubeconfig', 'secure-port': '1005', 'bind-address': '127.0.0.1' });
  });

  it('audits writes and service accounts, never at a level that records bodies', () => {
    const policy = parse(AUDIT_POLICY) as { rules: Array<{ level: string; verbs?: string[]; userGroups?: string[] }> };
    const levels = policy.rules.map((r) => r.level);
    expect(levels).not.toContain('Request');
    expect(levels).not.toContain('RequestResponse');
    expect(policy.rules).toContainEqual({ level: 'Metadata', verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'] });
    expect(policy.rules).toContainEqual({ level: 'Metadata', userGroups: ['system:serviceaccounts'] });
    expect(policy.rules.at(-1)).toEqual({ level: 'None' });
  });
});
