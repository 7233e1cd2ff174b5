/** The defaults kube-apiserver v1.35 stores, as read from it for the same objects (test-kube/conformance compares them live). */
import { describe, expect, it } from '@jest/globals';
import { clusterIpAllocator, defaultBuiltin } from '../../../src/sandbox/apiserver/builtin-defaults.js';
import type { KubeObject } from '../../../src/sandbox/apiserver/types.js';

const template = (containers: unknown[]) => ({ metadata: { labels: { app: 'x' } }, spec: { containers } });

function defaulted(group: string, kind: string, obj: Partial<KubeObject>, old?: KubeObject): KubeObject {
  const o = { metadata: { name: 'x', namespace: 'ns', uid: 'u-1' }, ...obj } as KubeObject;
  defaultBuiltin(group, kind, o, old, clusterIpAllocator());
  return o;
}

const podSpecDefaults = { dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {}, terminationGracePeriodSeconds: 30 };
const containerDefaults = { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} };

describe('clusterIpAllocator', () => {
  it('hands out kube\'s 10.96 addresses in order by default, skipping .0 and .255', () => {
    const next = clusterIpAllocator();
    expect([next(), next()]).toEqual(['10.96.0.10', '10.96.0.11']);
    const wrap = clusterIpAllocator([127, 20], 253);
    expect([wrap(), wrap()]).toEqual(['127.20.0.254', '127.20.1.1']);
  });
});

describe('built-in defaults', () => {
  it('Deployment: replicas, rolling update strategy, history, progress deadline, pod template', () => {
    const d = defaulted('apps', 'Deployment', { spec: { selector: { matchLabels: { app: 'x' } }, template: template([{ name: 'c', image: 'a:1', ports: [{ containerPort: 80 }] }]) } });
    expect(d.spec).toEqual({
      replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, selector: { matchLabels: { app: 'x' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'x' } }, spec: { ...podSpecDefaults, containers: [{ name: 'c', image: 'a:1', imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 80, protocol: 'TCP' }], ...containerDefaults }] } },
    });
    expect(d.status).toEqual({});
  });

  it('Deployment: Recreate gets no rollingUpdate', () => {
    const d = defaulted('apps', 'Deployment', { spec: { strategy: { type: 'Recreate' }, template: template([]) } });
    expect((d.spec as { strategy: unknown }).strategy).toEqual({ type: 'Recreate' });
  });

  it('StatefulSet: update strategy (kubectl rollout status needs it), retention policy, claim templates', () => {
    const s = defaulted('apps', 'StatefulSet', { spec: { serviceName: 'db', template: template([]), volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }] } });
    expect(s.spec).toMatchObject({
      replicas: 1, podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      volumeClaimTemplates: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem' }, status: { phase: 'Pending' } }],
    });
    expect(s.status).toEqual({ replicas: 0, availableReplicas: 0 });
  });

  it('Service: affinity, IP families, traffic policies, target ports; node ports for LoadBalancer, kept on update', () => {
    const svc = defaulted('', 'Service', { spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } });
    expect(svc.spec).toMatchObject({
      sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster', externalTrafficPolicy: 'Cluster',
      allocateLoadBalancerNodePorts: true, ports: [{ port: 80, targetPort: 80, protocol: 'TCP', nodePort: expect.any(Number) }],
    });
    expect(svc.status).toEqual({ loadBalancer: {} });
    const nodePort = (svc.spec as { ports: { nodePort: number }[] }).ports[0].nodePort;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    const updated = defaulted('', 'Service', { spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } }, svc);
    expect((updated.spec as { ports: { nodePort: number }[] }).ports[0].nodePort).toBe(nodePort);
    const headless = defaulted('', 'Service', { spec: { clusterIP: 'None', ports: [{ port: 3306 }] } });
    expect(headless.spec).toMatchObject({ clusterIP: 'None', clusterIPs: ['None'], type: 'ClusterIP' });
  });

  it('Pod: requests from limits, priority, service account, default tolerations, QoS class', () => {
    const p = defaulted('', 'Pod', { spec: { containers: [{ name: 'c', image: 'busybox', resources: { limits: { cpu: '100m', memory: '64Mi' } } }] } });
    expect(p.spec).toMatchObject({
      ...podSpecDefaults, enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority', priority: 0, serviceAccountName: 'default', serviceAccount: 'default',
      containers: [{ imagePullPolicy: 'Always', resources: { limits: { cpu: '100m', memory: '64Mi' }, requests: { cpu: '100m', memory: '64Mi' } } }],
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    });
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'Guaranteed' });
    expect(defaulted('', 'Pod', { spec: { containers: [{ name: 'c', image: 'a:latest' }] } }).status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('Job: counts, policies, and a selector on its own uid with the matching pod labels', () => {
    const j = defaulted('batch', 'Job', { spec: { template: { spec: { restartPolicy: 'Never', containers: [] } } } });
    const labels = { 'batch.kubernetes.io/controller-uid': 'u-1', 'batch.kubernetes.io/job-name': 'x', 'controller-uid': 'u-1', 'job-name': 'x' };
    expect(j.spec).toMatchObject({
      backoffLimit: 6, completions: 1, parallelism: 1, completionMode: 'NonIndexed', suspend: false, manualSelector: false, podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } }, template: { metadata: { labels } },
    });
    expect(j.metadata.labels).toEqual(labels);
    expect((defaulted('batch', 'Job', { spec: { parallelism: 3, template: { spec: {} } } }).spec as Record<string, unknown>).completions).toBeUndefined();
  });

  it('NetworkPolicy and PVC', () => {
    expect(defaulted('networking.k8s.io', 'NetworkPolicy', { spec: { ingress: [{ ports: [{ port: 80 }] }] } }).spec).toEqual({ ingress: [{ ports: [{ port: 80, protocol: 'TCP' }] }], policyTypes: ['Ingress'] });
    const pvc = defaulted('', 'PersistentVolumeClaim', { spec: {} });
    expect([pvc.spec, pvc.status]).toEqual([{ volumeMode: 'Filesystem' }, { phase: 'Pending' }]);
  });
});
