/** ServedKinds against the in-memory API server: one discovery request per answer, asked again only when due. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HTTPROUTE, TLSROUTE } from '../../src/controller/resources.js';
import { ServedKinds } from '../../src/kube/discovery.js';
import { eventually } from '../support/eventually.js';
import { startEnv, type Env } from '../controller/harness.js';
import { FakeClock } from './fake-clock.js';

const CRD = { kind: 'CustomResourceDefinition', apiVersion: 'apiextensions.k8s.io/v1', plural: 'customresourcedefinitions', namespaced: false };
let env: Env;

beforeAll(async () => {
  env = await startEnv([]);
});

afterAll(async () => {
  await env?.close();
});

const asked = () => env.client.counts.byVerb.discovery ?? 0;

describe('ServedKinds', () => {
  it('asks again about a missing kind only after the recheck time, keeps a served one until forgotten', async () => {
    const clock = new FakeClock();
    const served = new ServedKinds(env.client, clock, 30_000);
    expect(await served.served(HTTPROUTE)).toBe(false);
    expect(await served.served(HTTPROUTE)).toBe(false);
    expect(asked()).toBe(1);

    await env.client.create(CRD, undefined, {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'httproutes.gateway.networking.k8s.io' },
      spec: {
        group: 'gateway.networking.k8s.io', scope: 'Namespaced', names: { kind: 'HTTPRoute', plural: 'httproutes', singular: 'httproute', listKind: 'HTTPRouteList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    });
    await eventually('the HTTPRoute CRD served', async () => (await env.client.list(HTTPROUTE, 'default')) && true);
    clock.advance(29_000);
    expect(await served.served(HTTPROUTE)).toBe(false);
    expect(asked()).toBe(1);
    clock.advance(1_000);
    expect(await served.served(HTTPROUTE)).toBe(true);
    expect(asked()).toBe(2);

    clock.advance(3_600_000);
    expect(await served.served(HTTPROUTE)).toBe(true);
    expect(asked()).toBe(2);
    served.forget(HTTPROUTE.apiVersion);
    expect(await served.served(HTTPROUTE)).toBe(true);
    expect(asked()).toBe(3);
  });

  it('concurrent questions about one group-version make one request', async () => {
    const served = new ServedKinds(env.client, new FakeClock(), 30_000);
    const before = asked();
    expect(await Promise.all([served.served(TLSROUTE), served.served(TLSROUTE), served.served(TLSROUTE)])).toEqual([false, false, false]);
    expect(asked()).toBe(before + 1);
  });
});
