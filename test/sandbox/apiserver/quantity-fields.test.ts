import { describe, expect, it } from '@jest/globals';
import { canonicaliseQuantities } from '../../../src/sandbox/apiserver/quantity-fields.js';

describe('canonicaliseQuantities', () => {
  it('rewrites the requests and limits of pod templates and claim templates, numbers included', () => {
    const sts = {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' },
      spec: {
        template: { spec: { containers: [{ name: 'c', resources: { requests: { cpu: 0.5, memory: '1024Mi' } } }], volumes: [{ name: 'v', emptyDir: { sizeLimit: '2048Mi' } }] } },
        volumeClaimTemplates: [{ spec: { resources: { requests: { storage: '1024Gi' } } } }],
      },
    };
    canonicaliseQuantities('apps', 'StatefulSet', sts);
    expect(sts.spec.template.spec.containers[0].resources.requests).toEqual({ cpu: '500m', memory: '1Gi' });
    expect(sts.spec.template.spec.volumes[0].emptyDir.sizeLimit).toBe('2Gi');
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('1Ti');
  });

  it('does not touch kinds without quantities', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { cpu: '0.5' } };
    canonicaliseQuantities('', 'ConfigMap', cm);
    expect(cm.data.cpu).toBe('0.5');
  });
});
