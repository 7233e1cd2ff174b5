import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { apiServerNames, CLIENTS, ensurePki, kubeconfigFor, subject } from '../../../src/sandbox/control-plane/pki.js';

describe('control plane PKI (real openssl)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pki-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  ensurePki(dir, '10.96.0.1', 'cluster.local');
  const text = (file: string) => execFileSync('openssl', ['x509', '-in', path.join(dir, file), '-noout', '-text'], { encoding: 'utf8' });

  it('signs every certificate with the one CA', () => {
    for (const stem of ['apiserver', 'kubelet', ...CLIENTS.map((c) => c.stem)]) {
      expect(execFileSync('openssl', ['verify', '-CAfile', path.join(dir, 'ca.crt'), path.join(dir, `${stem}.crt`)], { encoding: 'utf8' })).toContain(': OK');
    }
  });

  it('the API server answers to loopback, the kubernetes Service address and its DNS names', () => {
    const t = text('apiserver.crt');
    for (const name of apiServerNames('10.96.0.1', 'cluster.local')) {
      const [kind, value] = name.split(':');
      expect(t).toContain(`${kind === 'IP' ? 'IP Address' : 'DNS'}:${value}`);
    }
    expect(t).toContain('TLS Web Server Authentication');
  });

  it('client certificates carry the user and groups RBAC binds', () => {
    expect(subject('system:kube-scheduler', [])).toBe('/CN=system:kube-scheduler');
    expect(subject('admin', ['system:masters'])).toBe('/O=system:masters/CN=admin');
    expect(text('admin.crt')).toMatch(/Subject: O\s*=\s*system:masters, CN\s*=\s*sandbox-admin/);
    expect(text('controller-manager.crt')).toContain('TLS Web Client Authentication');
  });

  it('keeps keys private and an existing PKI as it is', () => {
    expect(statSync(dir).mode & 0o077).toBe(0);
    const before = readFileSync(path.join(dir, 'ca.crt'), 'utf8');
    ensurePki(dir, '10.96.0.1', 'cluster.local');
    expect(readFileSync(path.join(dir, 'ca.crt'), 'utf8')).toBe(before);
  });

  it('writes a self-contained kubeconfig', () => {
    const kc = parse(kubeconfigFor(dir, 'admin', 'https://127.0.0.1:6443')) as {
      clusters: Array<{ cluster: { server: string; 'certificate-authority-data': string } }>;
      users: Array<{ name: string; user: Record<string, string> }>;
    };
    expect(kc.clusters[0].cluster.server).toBe('https://127.0.0.1:6443');
    expect(Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(readFileSync(path.join(dir, 'ca.crt'), 'utf8'));
    expect(Object.keys(kc.users[0].user).sort()).toEqual(['client-certificate-data', 'client-key-data']);
  });
});
