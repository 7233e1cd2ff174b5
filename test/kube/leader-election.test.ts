import { describe, expect, it } from '@jest/globals';
import {
  decideLease, observe, releasedRecord, renewalOverdue, type LeaseRecord, type LeaseTimings,
} from '../../src/kube/leader-election.js';

const timings: LeaseTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
const T0 = 1_000_000;
const held = (holder: string, renewTime = '2020-01-01T00:00:00.000000Z'): LeaseRecord => ({
  holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: '2020-01-01T00:00:00.000000Z', renewTime, leaseTransitions: 3,
});

describe('decideLease', () => {
  const cases: { name: string; live: LeaseRecord | undefined; observedAt: number; now: number; want: string; transitions?: number }[] = [
    { name: 'no lease: create it', live: undefined, observedAt: T0, now: T0, want: 'create', transitions: 0 },
    { name: 'held by another, just observed: wait', live: held('b'), observedAt: T0, now: T0, want: 'wait' },
    { name: 'held by another, 14.9s since it last changed: wait', live: held('b'), observedAt: T0, now: T0 + 14_999, want: 'wait' },
    { name: 'held by another, unchanged for the lease duration: take over', live: held('b'), observedAt: T0, now: T0 + 15_000, want: 'update', transitions: 4 },
    { name: 'released (no holder): take at once', live: held(''), observedAt: T0, now: T0, want: 'update', transitions: 4 },
    { name: 'held by us: renew, same transitions', live: held('a'), observedAt: T0, now: T0 + 3_000, want: 'update', transitions: 3 },
  ];
  it.each(cases)('$name', ({ live, observedAt, now, want, transitions }) => {
    const obs = { record: live, fingerprint: 'x', observedAt };
    const d = decideLease('a', live, obs, now, timings);
    expect(d.action).toBe(want);
    if (d.action !== 'wait') {
      expect(d.record.holderIdentity).toBe('a');
      expect(d.record.leaseDurationSeconds).toBe(15);
      expect(d.record.leaseTransitions).toBe(transitions);
      expect(d.record.renewTime).toBe(new Date(now).toISOString().replace('Z', '000Z'));
    }
  });

  it('keeps acquireTime when renewing and resets it on takeover', () => {
    const mine = decideLease('a', held('a'), { record: held('a'), fingerprint: '', observedAt: T0 }, T0, timings);
    expect(mine.action === 'update' && mine.record.acquireTime).toBe('2020-01-01T00:00:00.000000Z');
    const taken = decideLease('a', held('b'), { record: held('b'), fingerprint: '', observedAt: T0 }, T0 + 20_000, timings);
    expect(taken.action === 'update' && taken.record.acquireTime).not.toBe('2020-01-01T00:00:00.000000Z');
  });

  it('honours the lease duration the holder wrote, not ours', () => {
    const long = { ...held('b'), leaseDurationSeconds: 60 };
    const obs = { record: long, fingerprint: '', observedAt: T0 };
    expect(decideLease('a', long, obs, T0 + 30_000, timings).action).toBe('wait');
    expect(decideLease('a', long, obs, T0 + 60_000, timings).action).toBe('update');
  });
});

describe('observe', () => {
  it('restarts the validity clock only when the record changes, whatever its renewTime says', () => {
    const first = observe(undefined, held('b', '1999-01-01T00:00:00.000000Z'), T0);
    expect(first.observedAt).toBe(T0);
    // Same record read again later: a stalled holder must not look alive.
    const same = observe(first, held('b', '1999-01-01T00:00:00.000000Z'), T0 + 10_000);
    expect(same.observedAt).toBe(T0);
    // A renewal, even with a renewTime far in the past by our clock, counts as activity now.
    const renewed = observe(same, held('b', '1999-01-01T00:00:02.000000Z'), T0 + 12_000);
    expect(renewed.observedAt).toBe(T0 + 12_000);
  });
});

describe('renewalOverdue / releasedRecord', () => {
  it.each([
    [0, false], [9_999, false], [10_000, true], [30_000, true],
  ])('%i ms since the last renewal: overdue=%s', (elapsed, want) => {
    expect(renewalOverdue(T0, T0 + elapsed, timings)).toBe(want);
  });

  it('a released lease has no holder and a short duration', () => {
    const r = releasedRecord(held('a'), T0);
    expect(r.holderIdentity).toBe('');
    expect(r.leaseDurationSeconds).toBe(1);
    expect(r.leaseTransitions).toBe(3);
  });
});
