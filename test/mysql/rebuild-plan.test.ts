/** Which instance is rebuilt, from which donor, and when a rebuild in progress goes on or is abandoned. */
import { describe, expect, it } from '@jest/globals';
import type { InstanceObservation } from '../../src/mysql/observation.js';
import type { RebuildAttempts, RebuildInProgress } from '../../src/mysql/ports.js';
import { attemptsAfterStart, planRebuild, rebuildDelay, type RebuildPlan } from '../../src/mysql/rebuild-plan.js';
import { down, name, primary, replica, up } from './fixtures.js';

const NOW = Date.parse('2026-12-04T11:00:00Z');
const purged = { io: 'No' as const, ioError: { errno: 1236, message: 'Got fatal error 1236 from master: could not find GTID state requested by slave in any binlog files' } };

const BACKOFF = { baseMs: 60_000, maxMs: 3_600_000 };

function plan(observations: InstanceObservation[],
  more: { quarantined?: string[]; inProgress?: RebuildInProgress; primary?: string; attempts?: RebuildAttempts[] } = {}): RebuildPlan {
  return planRebuild({ now: NOW, primary: more.primary ?? name(0), quarantined: more.quarantined ?? [], inProgress: more.inProgress, observations,
    timeoutMs: 3_600_000, attempts: more.attempts, backoff: BACKOFF });
}

const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe('planRebuild', () => {
  it.each<[string, InstanceObservation[], string[], Partial<RebuildPlan>]>([
    ['a healthy cluster needs none', [primary(0), replica(1, 0), replica(2, 0)], [],
      { kind: 'none', reason: 'every instance can catch up by replication' }],
    ['a replica stopped by purged binlogs, from the healthy replica', [primary(0, '0-100-90'), replica(1, 0, '0-100-90'), replica(2, 0, '0-100-10', purged)], [],
      { kind: 'rebuild', instance: name(2), donor: name(1), resumed: false }],
    ['a new (empty) instance the binlogs no longer cover', [primary(0, '0-100-90'), replica(1, 0, '0-100-90'), replica(2, 0, '0-100-90'), replica(3, 0, '', purged)], [],
      { kind: 'rebuild', instance: name(3), donor: name(1) }],
    ['from the furthest replica', [primary(0, '0-100-90'), replica(1, 0, '0-100-80'), replica(2, 0, '0-100-90'), replica(3, 0, '', purged)], [],
      { kind: 'rebuild', instance: name(3), donor: name(2) }],
    ['from the primary when no replica is healthy', [primary(0, '0-100-90'), replica(1, 0, '0-100-90', { sqlError: 'duplicate key' }), replica(2, 0, '', purged)], [],
      { kind: 'rebuild', instance: name(2), donor: name(0) }],
    ['never from a quarantined replica', [primary(0, '0-100-90'), replica(1, 0, '0-100-90'), replica(2, 0, '', purged)], [name(1)],
      { kind: 'rebuild', instance: name(2), donor: name(0) }],
    ['a diverged quarantined instance, its errant transactions saved first', [primary(1, '0-100-90,1-101-5'), up(0, { executed: '0-100-91,1-101-5' }), replica(2, 1, '0-100-90,1-101-5')], [name(0)],
      { kind: 'rebuild', instance: name(0), donor: name(2), saveErrant: '0-100-91' }],
    ['a quarantined instance that no longer diverges is left to the planner', [primary(1, '0-100-90'), up(0, { executed: '0-100-90' }), replica(2, 1, '0-100-90')], [name(0)],
      { kind: 'none' }],
    ['a replica that lost its source for another reason is repointed, not rebuilt', [primary(0), replica(1, 0, '0-100-10', { io: 'No', ioError: { errno: 2003, message: 'cannot connect' } })], [],
      { kind: 'none' }],
    ['an unreachable instance waits until it answers', [primary(0), replica(1, 0), down(2)], [],
      { kind: 'none' }],
  ])('%s', (_name, observations, quarantined, expected) => {
    const primaryName = observations.find((o) => o.state && !o.state.readOnly)?.name;
    expect(plan(observations, { quarantined, primary: primaryName })).toMatchObject(expected);
  });

  it('names why: purged binlogs, or an empty data directory', () => {
    const purgedPlan = plan([primary(0, '0-100-90'), replica(1, 0, '0-100-10', purged)]);
    expect(purgedPlan).toMatchObject({ reason: expect.stringMatching(/^shop-mysql-1: binlogs it needs are gone; its source cannot send what it lacks: Got fatal error 1236/) });
    const emptyPlan = plan([primary(0, '0-100-90'), replica(1, 0, '', purged)]);
    expect(emptyPlan).toMatchObject({ reason: expect.stringMatching(/^shop-mysql-1: an empty data directory \(new or lost volume\)/) });
  });

  it('a fenced instance is neither rebuilt nor a donor', () => {
    const observations = [primary(0, '0-100-90'), replica(1, 0, '0-100-90'), replica(2, 0, '', purged)];
    const fencedPlan = (fenced: string[]) => planRebuild({ now: NOW, primary: name(0), quarantined: [], fenced, observations, timeoutMs: 3_600_000, backoff: BACKOFF });
    expect(fencedPlan([name(1)])).toMatchObject({ kind: 'rebuild', instance: name(2), donor: name(0) });
    expect(fencedPlan([name(2)])).toEqual({ kind: 'none', reason: 'every instance can catch up by replication' });
  });

  it('waits for a reachable primary', () => {
    expect(plan([down(0), replica(1, 0, '', purged)])).toEqual({ kind: 'none', reason: 'no reachable primary: rebuilds wait for one' });
  });

  it('one at a time: the one in progress goes on (after an operator restart too), whatever else needs one', () => {
    const inProgress = { instance: name(2), donor: name(1), reason: 'shop-mysql-2: binlogs it needs are gone', startedAt: new Date(NOW - 60_000).toISOString() };
    expect(plan([primary(0), replica(1, 0), replica(2, 0, '', purged), replica(3, 0, '', purged)], { inProgress }))
      .toEqual({ kind: 'rebuild', instance: name(2), donor: name(1), reason: 'resuming: shop-mysql-2: binlogs it needs are gone', resumed: true });
  });

  it('abandons a rebuild that overran its time', () => {
    const inProgress = { instance: name(2), donor: name(1), reason: 'r', startedAt: new Date(NOW - 3_600_001).toISOString() };
    expect(plan([primary(0), replica(1, 0), replica(2, 0, '', purged)], { inProgress }))
      .toEqual({ kind: 'abandon', instance: name(2), reason: 'the rebuild of shop-mysql-2 from shop-mysql-1 did not finish within 3600s' });
  });

  it('abandons the rebuild of an instance scaled away, and keeps one still in range', () => {
    const inProgress = { instance: name(2), donor: name(1), reason: 'r', startedAt: new Date(NOW - 60_000).toISOString() };
    const observations = [primary(0), replica(1, 0), replica(2, 0, '', purged)];
    const scaled = (replicas: number) => planRebuild({ now: NOW, primary: name(0), quarantined: [], inProgress, observations, replicas, timeoutMs: 3_600_000, backoff: BACKOFF });
    expect(scaled(2)).toEqual({ kind: 'abandon', instance: name(2), reason: 'shop-mysql-2 is scaled away (database.replicas 2); its rebuild from shop-mysql-1 is stopped' });
    expect(scaled(3)).toMatchObject({ kind: 'rebuild', instance: name(2), resumed: true });
  });

  describe('repeated rebuilds of one instance back off', () => {
    const cluster = [primary(0, '0-100-90'), replica(1, 0, '0-100-90'), replica(2, 0, '0-100-10', purged)];

    it.each<[string, RebuildAttempts, RebuildPlan['kind']]>([
      ['the first retry waits the base delay', { instance: name(2), count: 1, lastStartedAt: ago(59_000) }, 'none'],
      ['after it, it goes', { instance: name(2), count: 1, lastStartedAt: ago(60_000) }, 'rebuild'],
      ['the third waits four times the base', { instance: name(2), count: 3, lastStartedAt: ago(239_000) }, 'none'],
      ['never longer than the cap', { instance: name(2), count: 30, lastStartedAt: ago(3_600_000) }, 'rebuild'],
      ['another instance\'s attempts do not count', { instance: name(1), count: 5, lastStartedAt: ago(1000) }, 'rebuild'],
    ])('%s', (_name, attempts, kind) => {
      expect(plan(cluster, { attempts: [attempts] }).kind).toBe(kind);
    });

    it('says why it waits, with the last error, and until when', () => {
      const attempts = [{ instance: name(2), count: 2, lastStartedAt: ago(60_000), lastError: 'copy failed' }];
      expect(plan(cluster, { attempts })).toEqual({ kind: 'none',
        reason: `shop-mysql-2 was rebuilt 2 time(s), the latest at ${ago(60_000)} (copy failed); the next rebuild waits until ${ago(-60_000)}` });
    });

    it('a waiting instance does not hold up another', () => {
      const both = [...cluster, replica(3, 0, '', purged)];
      expect(plan(both, { attempts: [{ instance: name(2), count: 1, lastStartedAt: ago(1000) }] })).toMatchObject({ kind: 'rebuild', instance: name(3) });
    });

    it('counts the attempts, starting again after a long quiet time', () => {
      expect(rebuildDelay(1, BACKOFF)).toBe(60_000);
      expect(rebuildDelay(4, BACKOFF)).toBe(480_000);
      expect(rebuildDelay(20, BACKOFF)).toBe(3_600_000);
      const first = attemptsAfterStart(undefined, name(2), NOW, BACKOFF);
      expect(first).toEqual([{ instance: name(2), count: 1, lastStartedAt: ago(0) }]);
      const failed = [{ ...first[0], lastError: 'x' }, { instance: name(1), count: 1, lastStartedAt: ago(5000) }];
      expect(attemptsAfterStart(failed, name(2), NOW + 1000, BACKOFF)).toEqual([failed[1], { instance: name(2), count: 2, lastStartedAt: ago(-1000) }]);
      expect(attemptsAfterStart(failed, name(2), NOW + 7_200_001, BACKOFF)).toContainEqual({ instance: name(2), count: 1, lastStartedAt: ago(-7_200_001) });
    });
  });
});
