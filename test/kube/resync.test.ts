import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { Controller } from '../../src/kube/controller.js';
import { OperatorMetrics } from '../../src/kube/metrics.js';
import { dueForResync } from '../../src/kube/resync.js';
import { createLogger } from '../../src/log.js';
import { FakeClock } from './fake-clock.js';

const PERIOD = 60_000;

describe('dueForResync', () => {
  it.each([
    ['never reconciled', undefined, true],
    ['a whole period ago', 0, true],
    ['longer ago', -5 * PERIOD, true],
    ['a moment short of a period ago', 1, false],
    ['just now', PERIOD, false],
  ])('a key last reconciled %s: due %s', (_what, last, due) => {
    const times = new Map(last === undefined ? [] : [['ns/a', last]]);
    expect(dueForResync(['ns/a'], times, PERIOD, PERIOD)).toEqual(due ? ['ns/a'] : []);
  });

  it('forgets the keys no longer listed', () => {
    const times = new Map([['ns/gone', 0], ['ns/kept', 0]]);
    expect(dueForResync(['ns/kept'], times, PERIOD, PERIOD)).toEqual(['ns/kept']);
    expect([...times.keys()]).toEqual(['ns/kept']);
  });
});

describe('Controller resync', () => {
  const quiet = createLogger({ stream: new Writable({ write: (_c, _e, cb) => cb() }), format: 'json' });

  async function settle(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  }

  it('checks each key once a period after its last reconcile, not seconds after an event reconciled it', async () => {
    const clock = new FakeClock(0);
    const seen: [string, number][] = [];
    const controller = new Controller({ reconcile: async (key) => { seen.push([key, clock.now()]); return { result: 'converged' }; } },
      { log: quiet, clock, metrics: new OperatorMetrics(() => ({}), false) }, { workers: 2, resyncPeriodMs: PERIOD, keys: () => ['ns/a', 'ns/b'] });
    controller.start();
    await settle();
    expect(seen).toEqual([['ns/a', 0], ['ns/b', 0]]);
    clock.advance(PERIOD * 0.9);
    controller.enqueue('ns/b');
    await settle();
    seen.length = 0;
    clock.advance(PERIOD * 0.1);
    await settle();
    // ns/a is a period old; ns/b was reconciled for an event a tenth of a period ago.
    expect(seen).toEqual([['ns/a', PERIOD]]);
    seen.length = 0;
    for (let t = 0; t < 4; t++) {
      clock.advance(PERIOD / 4);
      await settle();
    }
    // ns/b was due at 1.9 periods: taken at the next tick, with ns/a.
    expect(seen).toEqual([['ns/a', PERIOD * 2], ['ns/b', PERIOD * 2]]);
    await controller.stop();
  });
});
