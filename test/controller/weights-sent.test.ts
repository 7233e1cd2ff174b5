/** Which HAProxy pods are sent the tier weights: new weights, new pods, new runs of a pod; nobody at rest. */
import { describe, expect, it } from '@jest/globals';
import type { HaproxyPod } from '../../src/controller/haproxy-weights.js';
import { WeightsSent } from '../../src/controller/weights-sent.js';

const pod = (name: string, opts: { uid?: string; ip?: string; restarts?: number } = {}): HaproxyPod => ({
  metadata: { name, uid: opts.uid ?? `${name}-uid` },
  status: { podIP: opts.ip ?? '10.0.0.1', containerStatuses: [{ restartCount: opts.restarts ?? 0 }] },
});
const names = (pods: HaproxyPod[]) => pods.map((p) => p.metadata.name);
const WEIGHTS = 'web=100\napi=50\n';

describe('WeightsSent', () => {
  const a = pod('lb-a');
  const b = pod('lb-b');
  const fresh = () => {
    const sent = new WeightsSent();
    sent.sent('ns/shop', a, WEIGHTS);
    sent.sent('ns/shop', b, WEIGHTS);
    return sent;
  };

  it.each([
    ['the pods that took the weights, as they were', [a, b], WEIGHTS, []],
    ['other weights', [a, b], 'web=100\napi=0\n', ['lb-a', 'lb-b']],
    ['a new pod beside them', [a, b, pod('lb-c')], WEIGHTS, ['lb-c']],
    ['a pod of the same name made again (another uid)', [pod('lb-a', { uid: 'other' }), b], WEIGHTS, ['lb-a']],
    ['a pod at another address', [a, pod('lb-b', { ip: '10.0.0.9' })], WEIGHTS, ['lb-b']],
    ['a pod whose haproxy restarted (it starts from haproxy.cfg)', [pod('lb-a', { restarts: 1 }), b], WEIGHTS, ['lb-a']],
  ])('%s: sent to %j', (_, pods, body, expected) => {
    expect(names(fresh().due('ns/shop', pods, body))).toEqual(expected);
  });

  it('sends to every pod of a stack it has not seen, or has forgotten', () => {
    const sent = fresh();
    expect(names(sent.due('ns/other', [a], WEIGHTS))).toEqual(['lb-a']);
    sent.forget('ns/shop');
    expect(names(sent.due('ns/shop', [a, b], WEIGHTS))).toEqual(['lb-a', 'lb-b']);
  });

  it('a pod that went away and came back with the same run is not sent to again only while remembered', () => {
    const sent = fresh();
    expect(names(sent.due('ns/shop', [a], WEIGHTS))).toEqual([]);
    // lb-b was forgotten when it was gone: seen again, it is sent the weights (harmless if it has them).
    expect(names(sent.due('ns/shop', [a, b], WEIGHTS))).toEqual(['lb-b']);
  });
});
