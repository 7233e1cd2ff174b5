import { describe, expect, it } from '@jest/globals';
import { renderGatewayRoute } from '../../src/render/gateway-route.js';
import { renderLoadBalancer } from '../../src/render/loadbalancer.js';
import { FIXED_ADMIN_TOKEN, withSpec } from './fixtures.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- reaching into rendered objects by path */
const owner = { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', name: 'shop', controller: true, blockOwnerDeletion: true };

describe('renderGatewayRoute', () => {
  it('renders nothing for a stack not published through a Gateway', () => {
    expect(renderGatewayRoute(...withSpec({}))).toBeUndefined();
  });

  it('sends HTTP from the Gateways to the HAProxy Service\'s HTTP port', () => {
    const route = renderGatewayRoute(...withSpec({
      loadBalancer: {
        service: { port: 8080 },
        gateway: { parentRefs: [{ name: 'edge' }, { name: 'public', namespace: 'infra', sectionName: 'http', port: 80 }], hostnames: ['shop.example.com', '*.shop.example.com'] },
      },
    })) as Record<string, any>;
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.kind).toBe('HTTPRoute');
    expect(route.metadata).toMatchObject({ name: 'shop-haproxy', namespace: 'shop', ownerReferences: [owner] });
    expect(route.metadata.labels).toMatchObject({ 'app.kubernetes.io/component': 'loadbalancer', 'webstack.dev/stack': 'shop' });
    expect(route.spec).toEqual({
      parentRefs: [
        { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge' },
        { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'infra', sectionName: 'http', port: 80 },
      ],
      hostnames: ['shop.example.com', '*.shop.example.com'],
      rules: [{ backendRefs: [{ group: '', kind: 'Service', name: 'shop-haproxy', port: 8080 }] }],
    });
  });

  it('answers every host name of the Gateway when none is listed', () => {
    const route = renderGatewayRoute(...withSpec({ loadBalancer: { gateway: { parentRefs: [{ name: 'edge' }] } } })) as Record<string, any>;
    expect(route.spec.hostnames).toBeUndefined();
  });

  it('passes TLS through to HAProxy\'s HTTPS port when HAProxy terminates TLS', () => {
    const route = renderGatewayRoute(...withSpec({
      loadBalancer: { tls: { secretName: 'shop-tls' }, service: { tlsPort: 8443 }, gateway: { parentRefs: [{ name: 'edge', sectionName: 'tls' }], hostnames: ['shop.example.com'] } },
    })) as Record<string, any>;
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1alpha2');
    expect(route.kind).toBe('TLSRoute');
    expect(route.spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge', sectionName: 'tls' }],
      hostnames: ['shop.example.com'],
      rules: [{ backendRefs: [{ group: '', kind: 'Service', name: 'shop-haproxy', port: 8443 }] }],
    });
  });
});

describe('the HAProxy Service behind a Gateway', () => {
  const serviceType = (spec: Parameters<typeof withSpec>[0]) => {
    const [ws, resolved] = withSpec(spec);
    const service = renderLoadBalancer(ws, resolved, { adminToken: FIXED_ADMIN_TOKEN }).find((o) => o.kind === 'Service') as Record<string, any>;
    return service.spec.type as string;
  };

  it('is a ClusterIP Service unless its type is set; without a Gateway it stays a LoadBalancer', () => {
    const gateway = { parentRefs: [{ name: 'edge' }] };
    expect(serviceType({ loadBalancer: { gateway } })).toBe('ClusterIP');
    expect(serviceType({ loadBalancer: { gateway, service: { type: 'NodePort' } } })).toBe('NodePort');
    expect(serviceType({ loadBalancer: {} })).toBe('LoadBalancer');
  });
});
