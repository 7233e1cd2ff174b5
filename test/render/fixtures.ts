/** WebStacks and fixed credentials for render tests: the examples/ manifests and small variations. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { resolveSpec, type ResolvedSpec } from '../../src/api/defaults.js';
import type { WebStack, WebStackSpec } from '../../src/api/types.js';
import type { DatabaseCredentials } from '../../src/render/credentials.js';
import type { DatabaseCertificates } from '../../src/pki/database-certificates.js';

export const FIXED_CREDENTIALS: DatabaseCredentials = {
  adminUser: 'webstack-admin',
  adminPassword: 'AdminPasswordForGoldenFiles0001',
  replicationUser: 'webstack-repl',
  replicationPassword: 'ReplicationPasswordForGolden002',
  appPassword: 'AppPasswordForGoldenFiles000003',
  exporterPassword: 'ExporterPasswordForGoldenFile04',
};

/** The HAProxy admin token of the golden files (64 characters, as newAdminToken makes them). */
export const FIXED_ADMIN_TOKEN = 'AdminTokenForGoldenFiles'.padEnd(64, '0');

/** Stand-ins for the PEM text of golden files: rendering copies certificates, it never reads them. */
export const FIXED_CERTIFICATES: DatabaseCertificates = {
  ca: { certificate: '-----BEGIN CERTIFICATE-----\nfixed-ca\n-----END CERTIFICATE-----\n', privateKey: '-----BEGIN PRIVATE KEY-----\nfixed-ca-key\n-----END PRIVATE KEY-----\n' },
  caBundle: '-----BEGIN CERTIFICATE-----\nfixed-ca\n-----END CERTIFICATE-----\n',
  server: { certificate: '-----BEGIN CERTIFICATE-----\nfixed-server\n-----END CERTIFICATE-----\n', privateKey: '-----BEGIN PRIVATE KEY-----\nfixed-server-key\n-----END PRIVATE KEY-----\n' },
};

export const FIXED_UID = '5b9c4f0e-7d1a-4c53-9d8e-2f6a1b3c4d5e';

export const EXAMPLE_NAMES = ['minimal', 'tls-weighted-backup', 'mariadb-semisync'] as const;

/** An examples/<name>.yaml manifest, as a cluster would hold it: with a uid, in a namespace. */
export function example(name: string): WebStack {
  const ws = parse(readFileSync(path.resolve('examples', `${name}.yaml`), 'utf8')) as WebStack;
  return { ...ws, metadata: { ...ws.metadata, namespace: ws.metadata.namespace ?? 'default', uid: FIXED_UID } };
}

export function stack(spec: Partial<WebStackSpec>, name = 'shop', namespace = 'shop'): WebStack {
  return {
    apiVersion: 'webstack.dev/v1alpha1',
    kind: 'WebStack',
    metadata: { name, namespace, uid: FIXED_UID },
    spec: { apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4' }], ...spec },
  };
}

export function withSpec(spec: Partial<WebStackSpec>): [WebStack, ResolvedSpec] {
  const ws = stack(spec);
  return [ws, resolveSpec(ws)];
}
