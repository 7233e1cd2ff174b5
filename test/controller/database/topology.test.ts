/** Which pods are a stack's database instances, and at which address. */
import { describe, expect, it } from '@jest/globals';
import { instancesFromPods, podFingerprint, type DatabasePod } from '../../../src/controller/database/topology.js';

const STS_UID = 'sts-uid';

function pod(name: string, over: { stack?: string; component?: string; ip?: string; owner?: string; ownerUid?: string; unowned?: boolean; ns?: string; port?: number; revision?: string } = {}): DatabasePod {
  return {
    metadata: {
      name, namespace: over.ns ?? 'shop',
      labels: { 'webstack.dev/stack': over.stack ?? 'shop', 'app.kubernetes.io/component': over.component ?? 'database',
        ...(over.revision ? { 'controller-revision-hash': over.revision } : {}) },
      ownerReferences: over.unowned ? [] : [{ kind: 'StatefulSet', name: over.owner ?? 'shop-mysql', uid: over.ownerUid ?? STS_UID, controller: true }],
    },
    spec: { containers: [{ ports: over.port ? [{ name: 'mysql', containerPort: over.port }] : [] }] },
    status: over.ip ? { podIP: over.ip } : {},
  };
}

describe('instancesFromPods', () => {
  it.each([
    ['a pod of another stack', pod('cart-mysql-0', { stack: 'cart', owner: 'cart-mysql', ip: '127.0.0.9' })],
    ['an app pod of the stack', pod('shop-web-x', { component: 'app', ip: '127.0.0.9' })],
    ['a database pod of another namespace', pod('shop-mysql-0', { ns: 'other', ip: '127.0.0.9' })],
    ['a pod labelled for the stack but owned by another StatefulSet', pod('shop-mysql-x-0', { owner: 'shop-mysql-x', ip: '127.0.0.9' })],
    ['a pod that merely carries the labels, owned by nothing', pod('shop-mysql-0', { unowned: true, ip: '127.0.0.9' })],
    ['a pod of a former StatefulSet of the same name (another uid)', pod('shop-mysql-0', { ownerUid: 'old-uid', ip: '127.0.0.9' })],
  ])('leaves out %s', (_what, p) => {
    expect(instancesFromPods([p], 'shop', 'shop', { uid: STS_UID })).toEqual([]);
  });

  it('addresses pods by IP and container port, in ordinal order (10 after 2)', () => {
    const pods = [pod('shop-mysql-10', { ip: '127.0.0.10' }), pod('shop-mysql-2', { ip: '127.0.0.2', port: 3307 }), pod('shop-mysql-0', { ip: '127.0.0.1' })];
    expect(instancesFromPods(pods, 'shop', 'shop', { uid: STS_UID })).toEqual([
      { name: 'shop-mysql-0', host: '127.0.0.1', port: 3306, ready: false },
      { name: 'shop-mysql-2', host: '127.0.0.2', port: 3307, ready: false },
      { name: 'shop-mysql-10', host: '127.0.0.10', port: 3306, ready: false },
    ]);
  });

  it('tells whether each pod is Ready', () => {
    const ready = { ...pod('shop-mysql-0', { ip: '127.0.0.1' }), status: { podIP: '127.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] } };
    expect(instancesFromPods([ready, pod('shop-mysql-1', { ip: '127.0.0.2' })], 'shop', 'shop', { uid: STS_UID }).map((i) => i.ready)).toEqual([true, false]);
  });

  it('marks the pods made from another revision than the StatefulSet\'s update revision as outdated', () => {
    const pods = [pod('shop-mysql-0', { ip: '127.0.0.1', revision: 'shop-mysql-old' }), pod('shop-mysql-1', { ip: '127.0.0.2', revision: 'shop-mysql-new' }),
      pod('shop-mysql-2', { ip: '127.0.0.3' })];
    expect(instancesFromPods(pods, 'shop', 'shop', { uid: STS_UID, updateRevision: 'shop-mysql-new' }).map((i) => [i.name, i.outdated ?? false]))
      .toEqual([['shop-mysql-0', true], ['shop-mysql-1', false], ['shop-mysql-2', false]]);
    // No update revision reported yet: nothing can be called outdated.
    expect(instancesFromPods(pods, 'shop', 'shop', { uid: STS_UID }).some((i) => i.outdated)).toBe(false);
  });

  it('reaches a pod with TLS when it mounts the stack TLS Secret, without when it predates the certificates', () => {
    const withTls = pod('shop-mysql-0', { ip: '127.0.0.1' });
    withTls.spec!.volumes = [{ secret: { secretName: 'shop-mysql-tls' } }];
    const other = pod('shop-mysql-1', { ip: '127.0.0.2' });
    other.spec!.volumes = [{ secret: { secretName: 'cart-mysql-tls' } }];
    expect(instancesFromPods([withTls, other, pod('shop-mysql-2', { ip: '127.0.0.3' })], 'shop', 'shop', { uid: STS_UID })).toEqual([
      { name: 'shop-mysql-0', host: '127.0.0.1', port: 3306, ready: false, tls: true },
      { name: 'shop-mysql-1', host: '127.0.0.2', port: 3306, ready: false },
      { name: 'shop-mysql-2', host: '127.0.0.3', port: 3306, ready: false },
    ]);
  });

  it('lists a pod without an IP under its headless Service DNS name, so it shows as unreachable rather than gone', () => {
    expect(instancesFromPods([pod('shop-mysql-1')], 'shop', 'shop', { uid: STS_UID })).toEqual([{ name: 'shop-mysql-1', host: 'shop-mysql-1.shop-mysql.shop.svc', port: 3306, ready: false }]);
  });
});

describe('podFingerprint', () => {
  const base = pod('shop-mysql-0', { ip: '127.0.0.1' });
  it('ignores labels (the role labels the manager itself moves)', () => {
    const relabelled = { ...base, metadata: { ...base.metadata, labels: { ...base.metadata.labels, 'webstack.dev/role': 'primary' } } };
    expect(podFingerprint(relabelled)).toBe(podFingerprint(base));
  });
  it.each([
    ['a new IP', { ...base, status: { podIP: '127.0.0.7' } }],
    ['readiness', { ...base, status: { podIP: '127.0.0.1', conditions: [{ type: 'Ready', status: 'False' }] } }],
    ['a restart', { ...base, status: { podIP: '127.0.0.1', containerStatuses: [{ restartCount: 1 }] } }],
    ['deletion', { ...base, metadata: { ...base.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }],
  ])('changes with %s', (_what, changed) => {
    expect(podFingerprint(changed as DatabasePod)).not.toBe(podFingerprint(base));
  });
});
