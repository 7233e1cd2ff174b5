/**
 * holdsLastApply and the caches' compaction against the in-memory API server's own server-side
 * apply: every child a stack renders (Secrets aside) is recognised as holding what was applied, and
 * stops being so when someone else changes a field of it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { MANAGER } from '../../src/api/labels.js';
import type { WebStack } from '../../src/api/types.js';
import { holdsLastApply, withAppliedHash } from '../../src/controller/applied-hash.js';
import { applyReason } from '../../src/controller/diff.js';
import { CACHE_SLIM, COMPARED_SLIM, resourceFor, WEBSTACK } from '../../src/controller/resources.js';
import { MATCHES_LAST_APPLY, slimObject } from '../../src/kube/cache-transform.js';
import type { KubeObj } from '../../src/kube/client.js';
import { newDatabaseCredentials } from '../../src/render/credentials.js';
import { newAdminToken } from '../../src/render/haproxy-weights.js';
import type { KubeObject } from '../../src/render/object.js';
import { renderStack } from '../../src/render/stack.js';
import { FIXED_CERTIFICATES } from '../render/fixtures.js';
import { startEnv, type Env } from './harness.js';

const NS = 'shop';
let env: Env;
const stack: WebStack = {
  apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop', namespace: NS },
  spec: { apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4', env: [{ name: 'MODE', value: 'live' }] }], database: { backup: { storage: { volume: {} } } } },
};
let desired: KubeObject[];
const applied = new Map<string, KubeObj>();

const apply = (o: KubeObject) => env.client.apply<KubeObj>(resourceFor(o.apiVersion, o.kind), o as KubeObj, MANAGER);

beforeAll(async () => {
  env = await startEnv([NS]);
  // Created, so that its children's owner exists (the garbage collector takes orphans).
  const ws = await env.client.create<WebStack>(WEBSTACK, NS, stack);
  desired = renderStack(ws, {
    credentials: newDatabaseCredentials((n) => randomBytes(n)), haproxyAdminToken: newAdminToken((n) => randomBytes(n)), certificates: FIXED_CERTIFICATES,
    backupStore: { token: 'store-token', image: 'webstack-operator:test' },
  }).map(withAppliedHash);
  for (const o of desired) applied.set(`${o.kind}/${o.metadata.name}`, await apply(o));
});

afterAll(async () => {
  await env?.close();
});

describe('holdsLastApply on what the API server made of each apply', () => {
  it('holds for every rendered kind but Secrets, whose hash leaves the values out', () => {
    const kinds = new Set(desired.map((o) => o.kind));
    expect([...kinds].sort()).toEqual(['ConfigMap', 'Deployment', 'NetworkPolicy', 'PersistentVolumeClaim', 'PodDisruptionBudget', 'Secret', 'Service', 'StatefulSet']);
    for (const [key, live] of applied) expect([key, holdsLastApply(live, MANAGER)]).toEqual([key, live.kind !== 'Secret']);
  });

  it('the cache keeps metadata and read fields only, and the desired object compares equal with it', () => {
    for (const o of desired) {
      const cached = slimObject(applied.get(`${o.kind}/${o.metadata.name}`)!, CACHE_SLIM) as KubeObj & { spec?: Record<string, unknown> };
      expect(applyReason(slimObject(o as KubeObj, CACHE_SLIM) as KubeObj, cached)).toBeUndefined();
      if (o.kind === 'Secret') continue;
      expect(cached[MATCHES_LAST_APPLY as keyof KubeObj]).toBe(true);
      expect(cached.metadata.managedFields).toBeUndefined();
      if (o.kind === 'Deployment') expect(cached.spec).toEqual({ replicas: (o.spec as { replicas: number }).replicas });
      if (o.kind === 'NetworkPolicy' || o.kind === 'ConfigMap') expect(Object.keys(cached).sort()).toEqual(['apiVersion', 'kind', MATCHES_LAST_APPLY, 'metadata']);
    }
  });

  it('a changed desired object is told apart from the compacted one; the full one names the field', () => {
    const deployment = desired.find((o) => o.kind === 'Deployment' && o.metadata.name === 'shop-web')!;
    const scaled = withAppliedHash({ ...deployment, spec: { ...(deployment.spec as object), replicas: 7 } });
    const live = applied.get('Deployment/shop-web')!;
    expect(applyReason(scaled as KubeObj, slimObject(live, CACHE_SLIM) as KubeObj)).toBe('the desired object changed since the last apply');
    expect(applyReason(scaled as KubeObj, slimObject(live, COMPARED_SLIM) as KubeObj)).toBe('spec.replicas: differs');
  });

  it('fails once someone else changes a field the apply set, or takes a label over; holds again after the next apply', async () => {
    const live = applied.get('Deployment/shop-web')! as KubeObj & { spec: { replicas: number } };
    const edited = await env.client.update<KubeObj>(resourceFor('apps/v1', 'Deployment'), NS, 'shop-web', { ...live, spec: { ...live.spec, replicas: 5 } });
    expect(holdsLastApply(edited, MANAGER)).toBe(false);
    expect(slimObject(edited, CACHE_SLIM)).not.toHaveProperty(MATCHES_LAST_APPLY);
    const service = applied.get('Service/shop-haproxy')!;
    const relabelled = await env.client.mergePatch<KubeObj>(resourceFor('v1', 'Service'), NS, 'shop-haproxy',
      { metadata: { labels: { ...(service.metadata.labels as object), 'app.kubernetes.io/component': 'theirs' } } });
    expect(holdsLastApply(relabelled, MANAGER)).toBe(false);
    const reapplied = await apply(desired.find((o) => o.kind === 'Deployment' && o.metadata.name === 'shop-web')!);
    expect(holdsLastApply(reapplied, MANAGER)).toBe(true);
  });

  it('still holds with fields only others set (a label of theirs)', async () => {
    const pdb = applied.get('PodDisruptionBudget/shop-haproxy')!;
    const labelled = await env.client.mergePatch<KubeObj>(resourceFor('policy/v1', 'PodDisruptionBudget'), NS, pdb.metadata.name!,
      { metadata: { labels: { team: 'payments' } } });
    expect(holdsLastApply(labelled, MANAGER)).toBe(true);
  });
});
