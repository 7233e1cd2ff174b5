import { describe, expect, it } from '@jest/globals';
import { resolveSpec } from '../../src/api/defaults.js';
import { ANNOTATION_CONFIG_CHECKSUM, ANNOTATION_TLS_CHECKSUM } from '../../src/api/labels.js';
import type { WebStack } from '../../src/api/types.js';
import { HAPROXY_PORTS, renderHaproxyConfig } from '../../src/render/haproxy-config.js';
import {
  HAPROXY_CONFIG_DIR, HAPROXY_CONFIG_KEY, HAPROXY_UID, renderLoadBalancer, tlsChecksum,
} from '../../src/render/loadbalancer.js';
import type { KubeObject } from '../../src/render/object.js';
import { validateKubeObject } from '../deploy/kube-schema.js';
import { FIXED_ADMIN_TOKEN } from './fixtures.js';
import { minimal, tlsWeightedBackup, tlsWithoutRedirect, webStack } from '../support/haproxy-examples.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- reaching into rendered objects by path */
function render(ws: WebStack): Record<string, any> {
  return Object.fromEntries(renderLoadBalancer(ws, resolveSpec(ws), { adminToken: FIXED_ADMIN_TOKEN }).map((o) => [o.kind, o]));
}

describe('renderLoadBalancer', () => {
  it.each([['minimal', minimal], ['TLS + weighted + backup', tlsWeightedBackup], ['TLS without redirect', tlsWithoutRedirect]])(
    '%s: every object validates against the official Kubernetes schema',
    async (_name, ws) => {
      const objects = renderLoadBalancer(ws, resolveSpec(ws), { adminToken: FIXED_ADMIN_TOKEN });
      expect(objects.map((o) => o.kind)).toEqual(['Secret', 'ConfigMap', 'Service', 'PodDisruptionBudget', 'Deployment']);
      for (const o of objects) await validateKubeObject(o);
    },
  );

  it('and the schema check would catch a broken object', async () => {
    const deployment = render(minimal).Deployment as KubeObject;
    const broken = structuredClone(deployment) as Record<string, any>;
    broken.spec.replicas = 'two';
    await expect(validateKubeObject(broken as KubeObject)).rejects.toThrow(/replicas/);
  });

  it('names, labels and owns every object; the selectors pick the pods the Deployment makes', () => {
    const o = render(tlsWeightedBackup);
    expect(o.Secret.metadata.name).toBe('store-haproxy-admin');
    for (const obj of Object.values(o).filter((x) => x.kind !== 'Secret')) {
      expect(obj.metadata.name).toBe('store-haproxy');
      expect(obj.metadata.namespace).toBe('shop');
      expect(obj.metadata.labels).toMatchObject({ 'app.kubernetes.io/component': 'loadbalancer', 'webstack.dev/stack': 'store' });
      expect(obj.metadata.ownerReferences).toEqual([{
        apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', name: 'store', uid: 'uid-store', controller: true, blockOwnerDeletion: true,
      }]);
    }
    const podLabels = o.Deployment.spec.template.metadata.labels;
    for (const selector of [o.Deployment.spec.selector.matchLabels, o.PodDisruptionBudget.spec.selector.matchLabels, o.Service.spec.selector]) {
      expect(podLabels).toMatchObject(selector);
    }
    const withoutUid = { ...minimal, metadata: { name: 'minimal', namespace: 'shop' } };
    expect(render(withoutUid).Deployment.metadata.ownerReferences).toBeUndefined();
  });

  it('puts the rendered haproxy.cfg where the container reads it, and rolls pods when it changes', () => {
    const o = render(tlsWeightedBackup);
    const config = o.ConfigMap.data[HAPROXY_CONFIG_KEY];
    expect(config).toBe(renderHaproxyConfig({ name: 'store', namespace: 'shop' }, resolveSpec(tlsWeightedBackup)));
    const container = o.Deployment.spec.template.spec.containers[0];
    const configMount = container.volumeMounts.find((m: any) => m.name === 'config');
    expect(container.command).toContain(`${configMount.mountPath}/${HAPROXY_CONFIG_KEY}`);
    expect(configMount.mountPath).toBe(HAPROXY_CONFIG_DIR);

    const checksum = (ws: WebStack) => render(ws).Deployment.spec.template.metadata.annotations[ANNOTATION_CONFIG_CHECKSUM];
    // A weight is set in the running pods: the ConfigMap follows (for pods started later), the pods don't roll.
    const reweighted = structuredClone(tlsWeightedBackup);
    reweighted.spec.apps[1].weight = 60;
    expect(render(reweighted).ConfigMap.data[HAPROXY_CONFIG_KEY]).not.toBe(config);
    expect(checksum(reweighted)).toBe(checksum(tlsWeightedBackup));
    // What haproxy can't change at run time rolls them: the backup flag, a weight under a static algorithm, the rest of the config.
    const unbackup = structuredClone(tlsWeightedBackup);
    unbackup.spec.apps[2].backup = false;
    expect(checksum(unbackup)).not.toBe(checksum(tlsWeightedBackup));
    const staticRr = structuredClone(tlsWeightedBackup);
    staticRr.spec.loadBalancer!.algorithm = 'static-rr';
    const staticReweighted = structuredClone(staticRr);
    staticReweighted.spec.apps[1].weight = 60;
    expect(checksum(staticReweighted)).not.toBe(checksum(staticRr));
    const first = structuredClone(tlsWeightedBackup);
    first.spec.loadBalancer!.algorithm = 'first';
    expect(checksum(first)).not.toBe(checksum(tlsWeightedBackup));
    const scaled = structuredClone(tlsWeightedBackup);
    scaled.spec.loadBalancer!.replicas = 5;
    expect(render(scaled).Deployment.spec.template.metadata.annotations).toEqual(o.Deployment.spec.template.metadata.annotations);
  });

  it('carries the TLS Secret\'s digest on the pod template, so a renewed certificate rolls the pods', () => {
    const annotations = (ws: WebStack, checksum?: string) => Object.fromEntries(renderLoadBalancer(ws, resolveSpec(ws), { adminToken: FIXED_ADMIN_TOKEN, tlsChecksum: checksum })
      .map((o) => [o.kind, o] as [string, any]))['Deployment'].spec.template.metadata.annotations;
    const first = tlsChecksum({ 'tls.crt': 'Y2VydDE=', 'tls.key': 'a2V5MQ==' });
    const renewed = tlsChecksum({ 'tls.crt': 'Y2VydDI=', 'tls.key': 'a2V5MQ==' });
    expect(renewed).not.toBe(first);
    expect(annotations(tlsWeightedBackup, first)[ANNOTATION_TLS_CHECKSUM]).toBe(first);
    expect(annotations(tlsWeightedBackup, renewed)[ANNOTATION_TLS_CHECKSUM]).toBe(renewed);
    expect(annotations(minimal, first)).not.toHaveProperty([ANNOTATION_TLS_CHECKSUM]);
  });

  it('runs haproxy restricted: non-root, read-only root, no capabilities, seccomp, a writable /tmp', () => {
    const pod = render(minimal).Deployment.spec.template.spec;
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: HAPROXY_UID, runAsGroup: HAPROXY_UID, fsGroup: HAPROXY_UID, seccompProfile: { type: 'RuntimeDefault' },
    });
    const c = pod.containers[0];
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(c.volumeMounts).toContainEqual({ name: 'run', mountPath: '/tmp' });
    expect(pod.volumes).toContainEqual({ name: 'run', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } });
  });

  it('spreads 2 replicas by default over nodes and zones, probes readiness (/healthz) and liveness (/livez) apart on the stats port', () => {
    const d = render(minimal).Deployment;
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.template.spec.topologySpreadConstraints.map((t: any) => `${t.topologyKey}/${t.whenUnsatisfiable}`))
      .toEqual(['kubernetes.io/hostname/ScheduleAnyway', 'topology.kubernetes.io/zone/ScheduleAnyway']);
    const c = d.spec.template.spec.containers[0];
    expect(c.ports).toEqual([
      { name: 'http', containerPort: HAPROXY_PORTS.http, protocol: 'TCP' },
      { name: 'stats', containerPort: HAPROXY_PORTS.stats, protocol: 'TCP' },
      { name: 'admin', containerPort: HAPROXY_PORTS.admin, protocol: 'TCP' },
    ]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'stats' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'stats' });
    expect(render(tlsWeightedBackup).Deployment.spec.replicas).toBe(3);
  });

  it('mounts the TLS Secret as the certificate and the key beside it, only with TLS', () => {
    const pod = render(tlsWeightedBackup).Deployment.spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: 'tls',
      secret: { secretName: 'store-tls', defaultMode: 0o440, items: [{ key: 'tls.crt', path: 'tls.pem' }, { key: 'tls.key', path: 'tls.pem.key' }] },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/haproxy/certs', readOnly: true });
    expect(pod.containers[0].ports.map((p: any) => p.name)).toEqual(['http', 'stats', 'admin', 'https']);
    expect(render(minimal).Deployment.spec.template.spec.volumes.map((v: any) => v.name)).toEqual(['config', 'run']);
  });

  it('exposes http and, with TLS, https on the Service, with source ranges and annotations', () => {
    const svc = render(tlsWeightedBackup).Service;
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
    ]);
    expect(svc.spec.loadBalancerSourceRanges).toEqual(['10.0.0.0/8']);
    expect(svc.metadata.annotations).toEqual({ 'example.com/lb': 'internal' });
    const plain = render(minimal).Service;
    expect(plain.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(plain.spec.loadBalancerSourceRanges).toBeUndefined();
    expect(plain.metadata.annotations).toBeUndefined();
  });

  it('sets source ranges only on a LoadBalancer Service', () => {
    const ws = webStack('np', {
      loadBalancer: { service: { type: 'NodePort', loadBalancerSourceRanges: ['10.0.0.0/8'] } },
      apps: [{ name: 'web', image: 'x' }],
    });
    const svc = render(ws).Service;
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.spec.loadBalancerSourceRanges).toBeUndefined();
  });

  it('lets one pod at a time be disrupted', () => {
    expect(render(minimal).PodDisruptionBudget.spec).toMatchObject({ maxUnavailable: 1 });
  });

  it('uses the given cluster domain for the SRV records', () => {
    const cm = renderLoadBalancer(minimal, resolveSpec(minimal), { adminToken: FIXED_ADMIN_TOKEN, clusterDomain: 'corp.internal' }).find((o) => o.kind === 'ConfigMap')!;
    expect((cm.data as Record<string, string>)[HAPROXY_CONFIG_KEY]).toContain('_http._tcp.minimal-web.shop.svc.corp.internal ');
  });
});
