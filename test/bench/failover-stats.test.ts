import { describe, expect, it } from '@jest/globals';
import { breakdownOf, medianBreakdown, splitBrainWrites, writePauseMs } from '../../bench/failover/stats.js';

const step = (at: number, name: string, ms: number, action = 'failover') => ({ at, message: 'database action step done', fields: { action, step: name, ms } });

describe('failover bench figures', () => {
  it('splits a failover into detection, its steps and the tail to the first write', () => {
    const b = breakdownOf([
      { at: 1300, message: 'database action', fields: { action: 'repoint' } },
      { at: 2100, message: 'database action', fields: { action: 'failover' } },
      step(2150, 'fence-replicas', 50),
      step(2200, 'apply-relay-log', 40),
      step(2230, 'promote', 30),
      step(2260, 'record-primary', 30),
      step(2300, 'repoint', 10, 'repair'),
    ], 1000, 2500);
    expect(b).toEqual({ detectMs: 1100, stepsMs: { 'fence-replicas': 50, 'apply-relay-log': 40, promote: 30, 'record-primary': 30 }, tailMs: 240 });
  });

  it('takes the median of each part, a step missing from a trial counting as 0', () => {
    expect(medianBreakdown([
      { detectMs: 1000, stepsMs: { promote: 30 }, tailMs: 100 },
      { detectMs: 1200, stepsMs: { promote: 50, catch: 20 }, tailMs: 300 },
      { detectMs: 1100, stepsMs: { promote: 40 }, tailMs: 200 },
    ])).toEqual({ detectMs: 1100, stepsMs: { promote: 40, catch: 0 }, tailMs: 200 });
  });

  it('counts writes acknowledged by a server after another was recorded primary', () => {
    const acked = [{ id: 1, serverId: 100, at: 10 }, { id: 2, serverId: 100, at: 30 }, { id: 3, serverId: 101, at: 40 }];
    expect(splitBrainWrites(acked, [{ at: 0, primaryServerId: 100 }, { at: 20, primaryServerId: 101 }]).map((a) => a.id)).toEqual([2]);
  });

  it('measures the pause as the gap before the first write the new primary acknowledged', () => {
    const acked = [{ id: 1, serverId: 100, at: 10 }, { id: 2, serverId: 100, at: 120 }, { id: 3, serverId: 101, at: 400 }, { id: 4, serverId: 101, at: 410 }];
    expect(writePauseMs(acked, 400)).toBe(280);
    expect(writePauseMs(acked, 5)).toBeNaN();
  });
});
