import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { downwardApiFiles, formatMap, metadataField } from '../../../src/sandbox/runtime/downward-api.js';
import { kubernetesServiceEnv } from '../../../src/sandbox/runtime/kubernetes-env.js';
import { materializeVolumes } from '../../../src/sandbox/runtime/pod-volumes.js';
import { refreshAfterMs, tokenRequest, tokenSources } from '../../../src/sandbox/runtime/token-sources.js';

/** The volume the API server's ServiceAccount admission adds to every pod. */
const apiAccess = {
  name: 'kube-api-access-x1',
  projected: {
    defaultMode: 0o644,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  },
};
const pod: V1Pod = {
  metadata: { name: 'op-1', namespace: 'webstack-system', uid: 'uid-1', labels: { b: '2', a: 'x"y' }, annotations: { note: 'n' } },
  spec: { serviceAccountName: 'webstack-operator', containers: [], volumes: [apiAccess, { name: 'aud', projected: { sources: [{ serviceAccountToken: { audience: 'vault', path: 't/vault' } }] } }] },
};

describe('downward API files', () => {
  it('formats label and annotation maps as sorted key="value" lines', () => {
    expect(formatMap({ b: '2', a: 'x"y' })).toBe('a="x\\"y"\nb="2"');
    expect(formatMap(undefined)).toBe('');
  });
  it.each([
    ['metadata.name', 'op-1'], ['metadata.namespace', 'webstack-system'], ['metadata.uid', 'uid-1'],
    ['metadata.labels', 'a="x\\"y"\nb="2"'], ["metadata.labels['b']", '2'], ["metadata.annotations['note']", 'n'], ["metadata.annotations['none']", ''],
  ])('%s -> %j', (field, value) => {
    expect(metadataField(pod, field)).toBe(value);
  });
  it('says which field it can not write', () => {
    expect(metadataField(pod, 'spec.nodeName')).toBeUndefined();
    expect(() => downwardApiFiles(pod, [{ path: 'node', fieldRef: { fieldPath: 'spec.nodeName' } }])).toThrow(/spec.nodeName/);
    expect(() => downwardApiFiles(pod, [{ path: 'cpu', resourceFieldRef: { resource: 'limits.cpu' } }])).toThrow(/cpu: only fieldRef/);
  });
});

describe('service-account token sources', () => {
  it('finds every projected token with its audience and lifetime', () => {
    expect(tokenSources(pod)).toEqual([
      { volume: 'kube-api-access-x1', path: 'token', expirationSeconds: 3607, mode: 0o644 },
      { volume: 'aud', path: 't/vault', audience: 'vault', expirationSeconds: 3600 },
    ]);
  });
  it('asks for a token bound to the pod, with the API server\'s audiences unless one is named', () => {
    const [apiToken, vault] = tokenSources(pod);
    expect(tokenRequest(pod, apiToken).spec).toEqual({ audiences: [], expirationSeconds: 3607, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'op-1', uid: 'uid-1' } });
    expect(tokenRequest(pod, vault).spec.audiences).toEqual(['vault']);
  });
  it.each([
    ['an hour-long token after 48 minutes', 3600, 2880],
    ['a ten-minute token after 8 minutes', 600, 480],
    ['a week-long token after a day', 7 * 86400, 86400],
  ])('renews %s', (_what, ttlSeconds, afterSeconds) => {
    const issued = new Date('2026-01-01T00:00:00Z');
    expect(refreshAfterMs(issued, new Date(issued.getTime() + ttlSeconds * 1000))).toBe(afterSeconds * 1000);
  });
});

describe('materializeVolumes with a projected API access volume', () => {
  it('writes the token, the CA bundle and the namespace where client libraries read them', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'projected-'));
    try {
      const dirs = await materializeVolumes(pod, dir, dir, { configMaps: { 'kube-root-ca.crt': { 'ca.crt': 'PEM' } }, secrets: {}, tokens: { 'kube-api-access-x1/token': 'tok', 'aud/t/vault': 'vt' } });
      const v = dirs['kube-api-access-x1'];
      expect(readFileSync(path.join(v, 'token'), 'utf8')).toBe('tok');
      expect(readFileSync(path.join(v, 'ca.crt'), 'utf8')).toBe('PEM');
      expect(readFileSync(path.join(v, 'namespace'), 'utf8')).toBe('webstack-system');
      expect(statSync(path.join(v, 'token')).mode & 0o777).toBe(0o644);
      expect(readFileSync(path.join(dirs.aud, 't/vault'), 'utf8')).toBe('vt');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('kubernetesServiceEnv', () => {
  it('sets the variables the kubelet sets for the kubernetes Service, at the API server\'s address', () => {
    expect(kubernetesServiceEnv({ host: '127.0.0.1', port: 6443 })).toEqual({
      KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '6443', KUBERNETES_SERVICE_PORT_HTTPS: '6443',
      KUBERNETES_PORT: 'tcp://127.0.0.1:6443', KUBERNETES_PORT_6443_TCP: 'tcp://127.0.0.1:6443',
      KUBERNETES_PORT_6443_TCP_PROTO: 'tcp', KUBERNETES_PORT_6443_TCP_PORT: '6443', KUBERNETES_PORT_6443_TCP_ADDR: '127.0.0.1',
    });
  });
});
