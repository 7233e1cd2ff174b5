/** The rebuild, step by step on a scripted rebuilder: record, Events, completion, failure, abandon, resumption. */
import { describe, expect, it } from '@jest/globals';
import { MemoryEvents, MemoryRecord } from '../../src/mysql/memory.js';
import type { BinlogSearch } from '../../src/mysql/binlog-transactions.js';
import type { Database, DatabaseConnector } from '../../src/mysql/database.js';
import type { ClusterState, ErrantArchive, InstanceRebuilder, RebuildProgress } from '../../src/mysql/ports.js';
import { Rebuilds } from '../../src/mysql/rebuild.js';
import { FakeClock } from '../kube/fake-clock.js';
import { name, primary, replica } from './fixtures.js';

const purged = { io: 'No' as const, ioError: { errno: 1236, message: 'Got fatal error 1236 from master' } };
const MIB = 1024 * 1024;

/** Answers `progress` from `phases` in turn (the last one repeats); records every call. */
class ScriptedRebuilder implements InstanceRebuilder {
  readonly calls: string[] = [];
  constructor(private readonly phases: RebuildProgress[]) {}

  async start(target: string, donor: string): Promise<void> {
    this.calls.push(`start ${target} from ${donor}`);
  }

  async progress(target: string): Promise<RebuildProgress> {
    this.calls.push(`progress ${target}`);
    return this.phases.length > 1 ? this.phases.shift()! : this.phases[0];
  }

  async finish(target: string): Promise<void> {
    this.calls.push(`finish ${target}`);
  }
}

/** What a diverged instance's binlog holds: one transaction of its own. */
const errantSearch: BinlogSearch = {
  transactions: [{ gtid: '0-100-91', events: [
    { log: 'binlog.000002', pos: 400, type: 'Gtid', info: 'BEGIN GTID 0-100-91' },
    { log: 'binlog.000002', pos: 442, type: 'Annotate_rows', info: "INSERT INTO shop.orders VALUES (7, 'unacknowledged')" },
    { log: 'binlog.000002', pos: 520, type: 'Xid', info: 'COMMIT /* xid=31 */' },
  ] }],
  missing: '', scannedEvents: 12,
};

class MemoryArchive implements ErrantArchive {
  readonly saved: string[] = [];
  async save(instance: string, n: number, gtids: string, events: string): Promise<string> {
    this.saved.push(`${instance} ${n} ${gtids}\n${events}`);
    return `shop-errant-${instance}-${n}`;
  }
}

function setup(phases: RebuildProgress[], initial: ClusterState = { primary: name(0), bootstrapped: true }, archive?: ErrantArchive) {
  const clock = new FakeClock(Date.parse('2026-12-04T12:00:00Z'));
  const record = new MemoryRecord(initial);
  const events = new MemoryEvents();
  const rebuilder = new ScriptedRebuilder(phases);
  const searched: string[] = [];
  const connect: DatabaseConnector = (addr) => ({
    binlogTransactions: async (gtids: string) => { searched.push(`${addr.name} ${gtids}`); return errantSearch; },
  }) as unknown as Database;
  const rebuilds = new Rebuilds({ record, rebuilder, events, clock, errant: archive, log: { info: () => undefined, warn: () => undefined },
    timings: { rebuildTimeoutMs: 600_000, rebuildBackoffMs: 60_000, rebuildBackoffMaxMs: 3_600_000 } });
  const ended: (string | undefined)[] = [];
  const step = async (observations = needing) => {
    const result = await rebuilds.step(observations, await record.read(), connect);
    ended.push(result.ended);
    return result.did;
  };
  return { clock, record, events, rebuilder, step, searched, ended };
}

const needing = [primary(0, '0-100-90'), replica(1, 0, '0-100-90'), replica(2, 0, '', purged)];
const caughtUp = [primary(0, '0-100-95'), replica(1, 0, '0-100-95'), replica(2, 0, '0-100-95')];

describe('Rebuilds', () => {
  it('records the rebuild, starts it, follows it and completes once the target replicates', async () => {
    const { record, events, rebuilder, step, clock, ended } = setup([{ phase: 'idle' }, { phase: 'copying', bytes: 5 * MIB },
      { phase: 'restored', bytes: 40 * MIB, durationMs: 9000, gtid: '0-100-90' }]);
    expect(await step()).toBe('started rebuilding shop-mysql-2 from shop-mysql-1');
    expect((await record.read()).rebuild).toEqual({ instance: name(2), donor: name(1), reason: expect.stringContaining('empty data directory'),
      startedAt: '2026-12-04T12:00:00.000Z' });
    expect((await record.read()).rebuildAttempts).toEqual([{ instance: name(2), count: 1, lastStartedAt: '2026-12-04T12:00:00.000Z' }]);
    expect(await step()).toBe('shop-mysql-2: copying (5 MiB)');
    clock.advance(12_000);
    // Back on the copy but not pointed at the primary yet (the planner's rejoin does that).
    const restarted = [primary(0, '0-100-95'), replica(1, 0, '0-100-95'), { ...replica(2, 0, '0-100-90'), state: { ...replica(2, 0, '0-100-90').state!, replica: undefined } }];
    expect(await step(restarted)).toBe('shop-mysql-2 restarted on the copy; waiting for it to replicate from shop-mysql-0');
    expect(await step(caughtUp)).toBe('shop-mysql-2 rebuilt from shop-mysql-1 in 12s (40 MiB copied, at GTID 0-100-90); it replicates from shop-mysql-0');
    expect(await record.read()).toEqual({ primary: name(0), bootstrapped: true,
      rebuildAttempts: [{ instance: name(2), count: 1, lastStartedAt: '2026-12-04T12:00:00.000Z' }] });
    expect(rebuilder.calls).toEqual(['progress shop-mysql-2', 'start shop-mysql-2 from shop-mysql-1', 'progress shop-mysql-2',
      'progress shop-mysql-2', 'progress shop-mysql-2', 'finish shop-mysql-2']);
    expect(events.events.map((e) => `${e.type} ${e.reason}`)).toEqual(['Normal RebuildStarted', 'Normal RebuildCompleted']);
    // What the manager counts in webstack_database_rebuilds_total.
    expect(ended).toEqual([undefined, undefined, undefined, 'completed']);
  });

  it('a failed copy: a Warning, the record cleared, the error kept for the condition and the back-off', async () => {
    const { record, events, step, ended } = setup([{ phase: 'idle' }, { phase: 'failed', error: 'mbstream exited with code 1' }]);
    await step();
    expect(await step()).toBe('the rebuild of shop-mysql-2 failed: the copy from shop-mysql-1 failed: mbstream exited with code 1');
    const after = await record.read();
    expect(after.rebuild).toBeUndefined();
    expect(after.rebuildAttempts).toEqual([expect.objectContaining({ instance: name(2), count: 1, lastError: 'the copy from shop-mysql-1 failed: mbstream exited with code 1' })]);
    expect(events.events.at(-1)).toEqual({ type: 'Warning', reason: 'RebuildFailed', message: expect.stringContaining('mbstream exited with code 1') });
    // The next attempt waits for the back-off.
    expect(await step()).toMatch(/^nothing$/);
    expect(ended).toEqual([undefined, 'failed', undefined]);
  });

  it('abandons a rebuild past its time, and a later one counts as the second attempt', async () => {
    const { record, events, step, clock, rebuilder } = setup([{ phase: 'idle' }, { phase: 'copying', bytes: 0 }]);
    await step();
    clock.advance(600_001);
    expect(await step()).toBe('the rebuild of shop-mysql-2 failed: abandoned: the rebuild of shop-mysql-2 from shop-mysql-1 did not finish within 600s');
    // The agent stops the copy still in progress (test/agent/agent.test.ts).
    expect(rebuilder.calls.at(-1)).toBe('finish shop-mysql-2');
    expect(events.events.at(-1)?.reason).toBe('RebuildFailed');
    expect((await record.read()).rebuild).toBeUndefined();
    clock.advance(1000);
    expect(await step()).toBe('started rebuilding shop-mysql-2 from shop-mysql-1');
    expect((await record.read()).rebuildAttempts).toEqual([expect.objectContaining({ count: 2 })]);
  });

  it('resumes from the record after an operator restart; starts again when the agent lost the copy', async () => {
    const inProgress: ClusterState = { primary: name(0), bootstrapped: true,
      rebuild: { instance: name(2), donor: name(1), reason: 'r', startedAt: '2026-12-04T11:59:00.000Z' } };
    const { rebuilder, step } = setup([{ phase: 'idle' }], inProgress);
    expect(await step()).toBe('shop-mysql-2 had no copy in progress (lost with an agent or operator restart); started again from shop-mysql-1');
    expect(rebuilder.calls).toEqual(['progress shop-mysql-2', 'start shop-mysql-2 from shop-mysql-1']);
  });

  it('a resumed rebuild whose target already replicates (forgotten before the record was cleared) completes', async () => {
    const inProgress: ClusterState = { primary: name(0), bootstrapped: true,
      rebuild: { instance: name(2), donor: name(1), reason: 'r', startedAt: '2026-12-04T11:59:00.000Z' } };
    const { record, rebuilder, step } = setup([{ phase: 'idle' }], inProgress);
    expect(await step(caughtUp)).toBe('shop-mysql-2 rebuilt from shop-mysql-1 in 60s; it replicates from shop-mysql-0');
    expect((await record.read()).rebuild).toBeUndefined();
    expect(rebuilder.calls).toEqual(['progress shop-mysql-2']);
  });

  it('clears a finished rebuild the agent still remembers before starting a new one', async () => {
    const { rebuilder, step } = setup([{ phase: 'restored', bytes: 1, durationMs: 1, gtid: '0-100-1' }]);
    await step();
    expect(rebuilder.calls).toEqual(['progress shop-mysql-2', 'finish shop-mysql-2', 'start shop-mysql-2 from shop-mysql-1']);
  });

  const quarantinedAt0 = { primary: name(1), bootstrapped: true, quarantined: [name(0)] };
  const diverged = [primary(1, '0-100-90,1-101-5'), { ...replica(0, 1, '0-100-91,1-101-5'), state: { ...replica(0, 1, '0-100-91,1-101-5').state!, replica: undefined } },
    replica(2, 1, '0-100-90,1-101-5')];

  it('never replaces a diverged instance\'s transactions unsaved', async () => {
    const { rebuilder, record, step } = setup([{ phase: 'idle' }], quarantinedAt0);
    expect(await step(diverged)).toBe('shop-mysql-0 diverged (0-100-91) and is kept: its transactions can\'t be saved here');
    expect(rebuilder.calls).toEqual([]);
    expect((await record.read()).rebuild).toBeUndefined();
  });

  it('saves a diverged instance\'s transactions and their binlog events, records and announces where, then rebuilds it', async () => {
    const archive = new MemoryArchive();
    const { rebuilder, record, events, step, searched } = setup([{ phase: 'idle' }], quarantinedAt0, archive);
    expect(await step(diverged)).toBe('started rebuilding shop-mysql-0 from shop-mysql-2');
    expect(searched).toEqual(['shop-mysql-0 0-100-91']);
    expect(archive.saved).toEqual([`shop-mysql-0 1 0-100-91\n# 0-100-91\nbinlog.000002:400\tGtid\tBEGIN GTID 0-100-91\n`
      + `binlog.000002:442\tAnnotate_rows\tINSERT INTO shop.orders VALUES (7, 'unacknowledged')\nbinlog.000002:520\tXid\tCOMMIT /* xid=31 */\n`]);
    expect((await record.read()).errantTransactionsSaved).toEqual([
      { instance: name(0), gtids: '0-100-91', configMap: 'shop-errant-shop-mysql-0-1', savedAt: '2026-12-04T12:00:00.000Z' }]);
    expect(events.events.map((e) => `${e.type} ${e.reason}: ${e.message}`)).toEqual([
      'Warning ErrantTransactionsSaved: shop-mysql-0 holds transactions the primary lacks (0-100-91): 1 of them, with the binlog events that hold them, '
        + 'saved in ConfigMap shop-errant-shop-mysql-0-1; it is rebuilt from shop-mysql-2 next',
      expect.stringMatching(/^Normal RebuildStarted: shop-mysql-0 is rebuilt from a physical copy of shop-mysql-2: shop-mysql-0: diverged/),
    ]);
    expect(rebuilder.calls).toContain('start shop-mysql-0 from shop-mysql-2');
  });

  it('saves the same transactions once, whatever the attempts; new ones get the next number', async () => {
    const archive = new MemoryArchive();
    const earlier = { instance: name(0), gtids: '0-100-91', configMap: 'shop-errant-shop-mysql-0-1', savedAt: '2026-12-04T11:00:00.000Z' };
    const { step, searched } = setup([{ phase: 'idle' }], { ...quarantinedAt0, errantTransactionsSaved: [earlier] }, archive);
    await step(diverged);
    expect(searched).toEqual([]);
    const again = setup([{ phase: 'idle' }], { ...quarantinedAt0, errantTransactionsSaved: [{ ...earlier, gtids: '0-100-88' }] }, archive);
    await again.step(diverged);
    expect((await again.record.read()).errantTransactionsSaved?.map((e) => e.configMap)).toEqual(['shop-errant-shop-mysql-0-1', 'shop-errant-shop-mysql-0-2']);
  });
});
