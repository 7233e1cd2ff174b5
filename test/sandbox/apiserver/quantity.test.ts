import { describe, expect, it } from '@jest/globals';
import { canonicalQuantity } from '../../../src/sandbox/apiserver/quantity.js';
import { canonicaliseQuantities } from '../../../src/sandbox/apiserver/quantity-fields.js';

describe('canonicalQuantity, as kube-apiserver stores quantities', () => {
  it.each([
    ['0.5', '500m'],
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['1.5', '1500m'],
    ['100000', '100k'],
    ['2048M', '2048M'],
    ['1024Mi', '1Gi'],
    ['0.5Gi', '512Mi'],
    ['1.5Gi', '1536Mi'],
    ['1000Mi', '1000Mi'],
    ['0.5Ki', '512'],
    ['1536', '1536'],
    ['1Ki', '1Ki'],
    ['0', '0'],
    ['0Gi', '0'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['0.0000000001', '1n'],
    ['-0.5', '-500m'],
    ['10Gi', '10Gi'],
    ['.5', '500m'],
  ])('%s -> %s', (sent, stored) => {
    expect(canonicalQuantity(sent)).toBe(stored);
  });

  it('leaves text that is no quantity as it is', () => {
    expect(canonicalQuantity('lots')).toBe('lots');
  });
});

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
