/**
 * The control plane's certificates and keys, made with the real `openssl`: one CA, the API
 * server's and the kubelet's serving certificates, a client certificate per component (the user and group names the
 * bootstrap RBAC policy binds), and the service-account signing key pair.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ClientIdentity {
  /** File stem: `<stem>.crt`, `<stem>.key`. */
  stem: string;
  user: string;
  groups: string[];
}

/** Who talks to the API server with a certificate; everything else uses service-account tokens. */
export const CLIENTS: ClientIdentity[] = [
  { stem: 'admin', user: 'sandbox-admin', groups: ['system:masters'] },
  { stem: 'controller-manager', user: 'system:kube-controller-manager', groups: [] },
  { stem: 'scheduler', user: 'system:kube-scheduler', groups: [] },
  { stem: 'apiserver-kubelet-client', user: 'kube-apiserver-kubelet-client', groups: ['system:masters'] },
];

/** Names and addresses the API server answers to: loopback, the `kubernetes` Service, its DNS names. */
export function apiServerNames(serviceIP: string, clusterDomain: string): string[] {
  const dns = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${clusterDomain}`];
  return [...dns.map((d) => `DNS:${d}`), 'IP:127.0.0.1', `IP:${serviceIP}`];
}

/** A subject with `/` separators as openssl -subj takes it; names are ours, so no escaping is needed. */
export function subject(user: string, groups: string[]): string {
  return `${groups.map((g) => `/O=${g}`).join('')}/CN=${user}`;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`openssl ${args[0]} failed${stderr ? `: ${stderr}` : ''} (is openssl installed?)`, { cause: err });
  }
}

function newKey(file: string, cwd: string): void {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file], cwd);
}

function signed(stem: string, subj: string, extensions: string, dir: string): void {
  newKey(`${stem}.key`, dir);
  openssl(['req', '-new', '-key', `${stem}.key`, '-subj', subj, '-out', `${stem}.csr`], dir);
  writeFileSync(path.join(dir, `${stem}.ext`), extensions);
  openssl(['x509', '-req', '-in', `${stem}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
    '-days', '365', '-sha256', '-extfile', `${stem}.ext`, '-out', `${stem}.crt`], dir);
}

/** Makes whatever is missing in `dir`; an existing PKI (a restarted sandbox) is kept. */
export function ensurePki(dir: string, serviceIP: string, clusterDomain: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(path.join(dir, 'ca.crt'))) {
    newKey('ca.key', dir);
    openssl(['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=webstack-sandbox-ca', '-days', '3650', '-sha256',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'ca.crt'], dir);
  }
  if (!existsSync(path.join(dir, 'apiserver.crt'))) {
    signed('apiserver', '/CN=kube-apiserver',
      `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${apiServerNames(serviceIP, clusterDomain).join(',')}\n`, dir);
  }
  // The kubelet's serving certificate: the API server reaches the node at its InternalIP, 127.0.0.1.
  if (!existsSync(path.join(dir, 'kubelet.crt'))) {
    signed('kubelet', '/CN=sandbox-kubelet',
      'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n', dir);
  }
  for (const c of CLIENTS) {
    if (existsSync(path.join(dir, `${c.stem}.crt`))) continue;
    signed(c.stem, subject(c.user, c.groups), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n', dir);
  }
  if (!existsSync(path.join(dir, 'sa.key'))) {
    newKey('sa.key', dir);
    openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  }
}

/** A kubeconfig that carries its certificates inline, so it works from any directory. */
export function kubeconfigFor(pkiDir: string, stem: string, server: string): string {
  const b64 = (f: string) => readFileSync(path.join(pkiDir, f)).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: sandbox',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64('ca.crt')}`,
    'users:',
    `- name: ${stem}`,
    '  user:',
    `    client-certificate-data: ${b64(`${stem}.crt`)}`,
    `    client-key-data: ${b64(`${stem}.key`)}`,
    'contexts:',
    '- name: sandbox',
    '  context:',
    '    cluster: sandbox',
    `    user: ${stem}`,
    '    namespace: default',
    'current-context: sandbox',
    '',
  ].join('\n');
}
