/**
 * A self-signed `kubernetes.io/tls` Secret for a stack whose TLS Secret the manifest doesn't hold:
 * the sandbox starts from an empty cluster, and a stack waiting for a Secret nobody will create
 * would never become Ready. Made with the real `openssl`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import { LABEL_MANAGED_BY, names } from '../api/labels.js';
import type { TlsSecretRef } from './preflight.js';

const run = promisify(execFile);

/** The name the certificate is made out to: the stack's load balancer Service inside the cluster. */
export function certificateName(ref: TlsSecretRef): string {
  return `${names.haproxy(ref.stack)}.${ref.namespace}.svc.cluster.local`;
}

export async function selfSignedTlsSecret(ref: TlsSecretRef): Promise<KubernetesObject & { type: string; data: Record<string, string> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-tls-'));
  try {
    const cn = certificateName(ref);
    const cert = path.join(dir, 'tls.crt');
    const key = path.join(dir, 'tls.key');
    try {
      await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', `/CN=${cn}`,
        '-addext', `subjectAltName=DNS:${cn},DNS:localhost,IP:127.0.0.1`, '-keyout', key, '-out', cert], { timeout: 60_000 });
    } catch (err) {
      throw new Error(`generating a self-signed certificate for Secret ${ref.namespace}/${ref.name} with openssl failed: ${(err as Error).message}`, { cause: err });
    }
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: ref.name, namespace: ref.namespace, labels: { [LABEL_MANAGED_BY]: 'webstack-sandbox' } },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': readFileSync(cert).toString('base64'), 'tls.key': readFileSync(key).toString('base64') },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
