import { describe, expect, it } from '@jest/globals';
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { endpointsObject, resolveTargetPort, RoundRobin, selectEndpoints, servingEndpoints } from '../../../src/sandbox/runtime/endpoints.js';
import { serviceRecords } from '../../../src/sandbox/runtime/dns-records.js';

const pod = (name: string, labels: Record<string, string>, ip: string | undefined, ready: boolean, extra: Partial<V1Pod['spec']> = {}, terminating = false): V1Pod => ({
  metadata: { name, namespace: 'shop', labels, ...(terminating ? { deletionTimestamp: new Date() } : {}) },
  spec: { containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }], ...extra },
  status: { podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const svc = (spec: V1Service['spec']): V1Service => ({ metadata: { name: 's', namespace: 'shop' }, spec });

describe('selectEndpoints', () => {
  const pods = [
    pod('b', { app: 'web' }, '127.10.0.2', false),
    pod('a', { app: 'web' }, '127.10.0.1', true),
    pod('c', { app: 'db' }, '127.10.0.3', true),
    pod('d', { app: 'web' }, undefined, true),
    pod('e', { app: 'web' }, '127.10.0.5', true, {}, true),
  ];
  const service = svc({ selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' as never }] });

  it('selects pods by label that have an address and are not terminating, resolving named ports', () => {
    const eps = selectEndpoints(service, pods);
    expect(eps.map((e) => [e.podName, e.ip, e.ready, e.ports.http])).toEqual([['a', '127.10.0.1', true, 8080], ['b', '127.10.0.2', false, 8080]]);
    expect(servingEndpoints(service, eps).map((e) => e.podName)).toEqual(['a']);
  });

  it('selects nothing without a selector, and ignores other namespaces', () => {
    expect(selectEndpoints(svc({ ports: [{ port: 80 }] }), pods)).toEqual([]);
    const other = { ...pods[1], metadata: { ...pods[1].metadata, namespace: 'other' } };
    expect(selectEndpoints(service, [other])).toEqual([]);
  });

  it('writes ready and not-ready addresses into the Endpoints object', () => {
    const obj = endpointsObject(service, selectEndpoints(service, pods));
    expect(obj.subsets).toEqual([{
      addresses: [{ ip: '127.10.0.1', targetRef: { kind: 'Pod', name: 'a', namespace: 'shop' } }],
      notReadyAddresses: [{ ip: '127.10.0.2', targetRef: { kind: 'Pod', name: 'b', namespace: 'shop' } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    }]);
  });

  it('resolves numeric target ports and falls back to the service port', () => {
    expect(resolveTargetPort({ port: 3306 }, pods[0])).toBe(3306);
    expect(resolveTargetPort({ port: 80, targetPort: 8080 as never }, pods[0])).toBe(8080);
    expect(resolveTargetPort({ port: 80, targetPort: 'nope' as never }, pods[0])).toBeUndefined();
  });

  it('round robin visits every endpoint in turn', () => {
    const rr = new RoundRobin();
    expect([1, 2, 3, 4].map(() => rr.next(['x', 'y', 'z']))).toEqual(['x', 'y', 'z', 'x']);
    expect(rr.next([])).toBeUndefined();
  });
});

describe('serviceRecords', () => {
  it('answers a ClusterIP Service with its address and SRV for named ports', () => {
    const s = svc({ selector: { app: 'db' }, ports: [{ name: 'mysql', port: 3306 }] });
    expect(serviceRecords(s, '127.20.0.1', [])).toEqual([
      { name: 's.shop.svc.cluster.local', type: 'A', address: '127.20.0.1' },
      { name: '_mysql._tcp.s.shop.svc.cluster.local', type: 'SRV', priority: 0, weight: 100, port: 3306, target: 's.shop.svc.cluster.local' },
    ]);
  });

  it('answers a headless Service with ready pods, names every pod, and gives SRV targets per pod', () => {
    const s = svc({ clusterIP: 'None', selector: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] });
    const pods = [
      pod('s-0', { app: 'web' }, '127.10.0.1', true, { hostname: 's-0', subdomain: 's' }),
      pod('x', { app: 'web' }, '127.10.0.2', false),
    ];
    const records = serviceRecords(s, undefined, selectEndpoints(s, pods));
    expect(records).toEqual([
      { name: 's.shop.svc.cluster.local', type: 'A', address: '127.10.0.1' },
      { name: 's-0.s.shop.svc.cluster.local', type: 'A', address: '127.10.0.1' },
      { name: '127-10-0-2.s.shop.svc.cluster.local', type: 'A', address: '127.10.0.2' },
      { name: '_http._tcp.s.shop.svc.cluster.local', type: 'SRV', priority: 0, weight: 100, port: 8080, target: 's-0.s.shop.svc.cluster.local' },
    ]);
  });

  it('publishes not-ready pods when publishNotReadyAddresses is set', () => {
    const s = svc({ clusterIP: 'None', publishNotReadyAddresses: true, selector: { app: 'web' }, ports: [] });
    const records = serviceRecords(s, undefined, selectEndpoints(s, [pod('x', { app: 'web' }, '127.10.0.2', false)]));
    expect(records[0]).toEqual({ name: 's.shop.svc.cluster.local', type: 'A', address: '127.10.0.2' });
  });
});
