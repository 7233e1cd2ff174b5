/** Event aggregation against the in-memory API server, with a manual clock. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventRecorder } from '../../src/kube/events.js';
import { createLogger } from '../../src/log.js';
import { FakeClock } from './fake-clock.js';
import { EVENTS, LogCapture, startEnv, type Env } from '../controller/harness.js';

const NS = 'shop';
let env: Env;

beforeAll(async () => { env = await startEnv([NS]); });
afterAll(async () => { await env?.close(); });

const subject = { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop', namespace: NS, uid: 'u-1' } };

interface Ev { type: string; reason: string; message: string; count: number; involvedObject: { name: string; uid: string }; source: { component: string } }

describe('EventRecorder', () => {
  it('writes an event once, counts repeats in memory within the window, patches the count after it', async () => {
    const clock = new FakeClock();
    const recorder = new EventRecorder(env.client, 'webstack-operator', 'host-1', clock, createLogger({ stream: new LogCapture() }), 60_000);
    const writes = () => env.client.counts.writes;
    const before = writes();
    await recorder.warning(subject, 'InvalidSpec', 'spec.apps[0].port: must be <= 65535');
    for (let i = 0; i < 5; i++) {
      clock.advance(1_000);
      await recorder.warning(subject, 'InvalidSpec', 'spec.apps[0].port: must be <= 65535');
    }
    expect(writes() - before).toBe(1);
    let items = (await env.client.list<Ev>(EVENTS, NS)).items.filter((e) => e.reason === 'InvalidSpec');
    expect(items).toEqual([expect.objectContaining({
      type: 'Warning', count: 1, message: 'spec.apps[0].port: must be <= 65535',
      involvedObject: expect.objectContaining({ name: 'shop', uid: 'u-1' }), source: expect.objectContaining({ component: 'webstack-operator' }),
    })]);
    clock.advance(60_000);
    await recorder.warning(subject, 'InvalidSpec', 'spec.apps[0].port: must be <= 65535');
    expect(writes() - before).toBe(2);
    items = (await env.client.list<Ev>(EVENTS, NS)).items.filter((e) => e.reason === 'InvalidSpec');
    expect(items.map((e) => e.count)).toEqual([7]);
  });

  it('a different message is a different event', async () => {
    const recorder = new EventRecorder(env.client, 'webstack-operator', 'host-1', new FakeClock(), createLogger({ stream: new LogCapture() }));
    await recorder.normal(subject, 'Created', 'Created 1 object: Secret a');
    await recorder.normal(subject, 'Created', 'Created 1 object: Secret b');
    const items = (await env.client.list<Ev>(EVENTS, NS)).items.filter((e) => e.reason === 'Created');
    expect(items.map((e) => e.message).sort()).toEqual(['Created 1 object: Secret a', 'Created 1 object: Secret b']);
  });

  it('a failing API server is logged, never thrown into the reconcile', async () => {
    const logs = new LogCapture();
    const recorder = new EventRecorder(env.client, 'webstack-operator', 'host-1', new FakeClock(), createLogger({ stream: logs, format: 'json' }));
    env.server.faults.failNext({ verb: 'create', resource: 'events', code: 500 });
    await expect(recorder.normal(subject, 'Updated', 'x')).resolves.toBeUndefined();
    expect(logs.lines.join('')).toContain('could not record event');
  });
});
