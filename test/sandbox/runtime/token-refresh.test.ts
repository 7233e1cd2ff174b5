/**
 * A pod's projected service-account token is renewed in place before it expires: PodRunner
 * against a fake API that issues short-lived tokens, with a pod that has no containers to run.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { createLogger } from '../../../src/log.js';
import type { Cluster } from '../../../src/sandbox/runtime/cluster.js';
import { PodRunner } from '../../../src/sandbox/runtime/pod-runner.js';
import { eventually } from '../../support/eventually.js';

const stateDir = mkdtempSync(path.join(os.tmpdir(), 'token-refresh-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

const pod: V1Pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'abcdef0123' },
  spec: { serviceAccountName: 'sa', containers: [], volumes: [{ name: 'api', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 600 } }] } }] },
};

describe('service-account token renewal', () => {
  it('rewrites the token file with a new token once 80% of the old one\'s lifetime has passed', async () => {
    const requests: Array<{ name: string; namespace: string; uid?: string }> = [];
    const core = {
      // Tokens that live 500 ms, so renewal is due after 400 ms.
      createNamespacedServiceAccountToken: async (req: { name: string; namespace: string; body: { spec: { boundObjectRef?: { uid?: string } } } }) => {
        requests.push({ name: req.name, namespace: req.namespace, uid: req.body.spec.boundObjectRef?.uid });
        return { status: { token: `token-${requests.length}`, expirationTimestamp: new Date(Date.now() + 500) } };
      },
      patchNamespacedPodStatus: async () => ({}),
      createNamespacedEvent: async () => ({}),
    };
    const env = {
      cluster: { core } as unknown as Cluster, log: createLogger({ format: 'json', level: 'error' }), stateDir, demoAppPath: '/nonexistent',
      clusterDomain: 'cluster.local', node: { name: 'n', serviceEnv: {} }, operatorCommand: { command: '/bin/false', args: [] },
    };
    const runner = new PodRunner(pod, '10.244.0.9', env);
    runner.start();
    const file = path.join(stateDir, 'pods', 'abcdef01', 'v', 'api', 'token');
    try {
      expect(await eventually('the first token', () => readFileSync(file, 'utf8') === 'token-1', 5000, 20)).toBe(true);
      expect(await eventually('a renewed token', () => Number(readFileSync(file, 'utf8').slice(6)) >= 2, 5000, 20)).toBe(true);
      expect(requests[0]).toEqual({ name: 'sa', namespace: 'ns', uid: 'abcdef0123' });
    } finally {
      await runner.stop(100);
    }
  });

  it('keeps the pod waiting with a short reason, and no response dump, while the token can not be issued', async () => {
    const statuses: string[] = [];
    const core = {
      createNamespacedServiceAccountToken: async () => { throw Object.assign(new Error('HTTP-Code: 404\nMessage: ...\nHeaders: {...}'), { code: 404 }); },
      patchNamespacedPodStatus: async (req: { body: unknown }) => { statuses.push(JSON.stringify(req.body)); return {}; },
      createNamespacedEvent: async () => ({}),
    };
    const env = {
      cluster: { core } as unknown as Cluster, log: createLogger({ format: 'json', level: 'error' }), stateDir, demoAppPath: '/nonexistent',
      clusterDomain: 'cluster.local', node: { name: 'n', serviceEnv: {} }, operatorCommand: { command: '/bin/false', args: [] },
    };
    const runner = new PodRunner({ ...pod, metadata: { ...pod.metadata, uid: 'fedcba9876' }, spec: { ...pod.spec!, containers: [{ name: 'c', image: 'demo' }] } }, '10.244.0.10', env);
    runner.start();
    try {
      const status = await eventually('a waiting status naming the TokenRequest', () => statuses.find((s) => s.includes('TokenRequest')), 5000, 20);
      expect(JSON.parse(status).status.containerStatuses[0].state.waiting).toEqual({ reason: 'ContainerCreating', message: 'TokenRequest for service account ns/sa failed: HTTP 404' });
    } finally {
      await runner.stop(100);
    }
  });
});
