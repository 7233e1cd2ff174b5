import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PodLogRequest } from '../../../src/sandbox/apiserver/pod-logs.js';
import { rawGet, startHarness, type Harness } from './harness.js';

let h: Harness;
const asked: PodLogRequest[] = [];
beforeAll(async () => {
  h = await startHarness({ podLogs: (req) => { asked.push(req); return `log of ${req.pod}/${req.container}\n`; } });
  const pod = (name: string, nodeName?: string) => ({ metadata: { name }, spec: { nodeName, containers: [{ name: 'app', image: 'a:1' }, { name: 'side', image: 'b:1' }] } });
  await h.core.createNamespacedPod({ namespace: 'default', body: pod('on-node', 'node-1') });
  await h.core.createNamespacedPod({ namespace: 'default', body: pod('pending') });
});
afterAll(async () => {
  await h.server.close();
});

describe('pods/log', () => {
  it("serves a container's log from the log source, with the request's options", async () => {
    const { status, body } = await rawGet(h, '/api/v1/namespaces/default/pods/on-node/log?container=side&tailLines=5');
    expect([status, body]).toEqual([200, 'log of on-node/side\n']);
    expect(asked).toEqual([{ namespace: 'default', pod: 'on-node', container: 'side', tailLines: 5, previous: false }]);
  });

  it('answers as kube: empty for a pod on no node, 400 for a wrong or missing container, 404 for a missing pod', async () => {
    expect(await rawGet(h, '/api/v1/namespaces/default/pods/pending/log?container=app')).toMatchObject({ status: 200, body: '' });
    expect(await rawGet(h, '/api/v1/namespaces/default/pods/on-node/log?container=nope')).toMatchObject({ status: 400, body: { message: 'container nope is not valid for pod on-node' } });
    expect(await rawGet(h, '/api/v1/namespaces/default/pods/on-node/log')).toMatchObject({ status: 400, body: { message: 'a container name must be specified for pod on-node, choose one of: [app side]' } });
    expect((await rawGet(h, '/api/v1/namespaces/default/pods/missing/log')).status).toBe(404);
  });
});
