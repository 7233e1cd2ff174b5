/**
 * Point-in-time recovery on real MariaDB: rows, a backup from a replica, more rows, a failover in the
 * middle of the archived window, more rows, the time T, more rows, the table dropped. A new stack
 * restored to T has exactly the rows committed before T.
 */
import { describe, expect, it } from '@jest/globals';
import { archiveBinlogs, readArchive, type ArchiveState } from '../../src/backup/binlog-archive.js';
import { dumpToStore } from '../../src/backup/dump.js';
import { parseGtidPosition, planReplay } from '../../src/backup/replay-plan.js';
import { replayBinlogs } from '../../src/backup/replay.js';
import { restoreDump } from '../../src/backup/restore.js';
import { VolumeStore } from '../../src/backup/volume-store.js';
import { waitNewPrimary, type Stack } from '../mysql/harness.js';
import { address, login, sourceAndTarget } from './source-and-target.js';
import { eventually } from '../support/eventually.js';

let source: Stack;
let target: Stack;
let dir: string;
/** The primary the first test killed. */
let killed: string;

sourceAndTarget('webstack-pitr-', 3, (s, t, d) => {
  [source, target, dir] = [s, t, d];
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('point-in-time recovery', () => {
  it('restores exactly the rows committed before T, across a failover in the archived window', async () => {
    const store = new VolumeStore(dir);
    const archive: ArchiveState = { archived: new Set() };
    const pass = () => archiveBinlogs(address(source, source.primary()), login(source), store, 'ns/shop/binlogs', archive, Date.now);
    const insert = (ids: number[]) => source.cluster.query(source.primary(), `INSERT INTO app.t VALUES ${ids.map((i) => `(${i})`).join(', ')}`);

    await source.cluster.query(source.primary(), 'CREATE TABLE app.t (id INT PRIMARY KEY)');
    await insert([1, 2]);
    const replica = source.cluster.addresses().find((a) => a.name !== source.primary())!;
    await eventually('the replica has the rows', async () => (await source.cluster.query(replica.name, 'SELECT * FROM app.t')).length === 2, 10_000, 50);
    const backup = await dumpToStore({ source: replica, login: login(source), databases: ['app'], store, location: 'ns/shop/backups/b1', now: () => new Date() });
    await pass();
    await insert([3, 4]);
    await pass();

    const old = source.primary();
    killed = old;
    await source.cluster.kill(old);
    await waitNewPrimary(source, old);
    await insert([5]);
    // T on a whole second, with no write in the second before or after it.
    await sleep(1000 - (Date.now() % 1000) + 1000);
    const T = Math.floor(Date.now() / 1000);
    await sleep(1100);
    await insert([6, 7]);
    await source.cluster.query(source.primary(), 'DROP TABLE app.t');
    const last = await pass();
    expect(last.stored.map((k) => k.split('/')[3])).toEqual(expect.arrayContaining([source.primary()]));

    await restoreDump({ store, location: 'ns/shop/backups/b1', sha256: backup.sha256, backupName: 'b1', target: address(target, target.primary()), login: login(target) });
    const { indexes, watermark } = await readArchive(store, 'ns/shop/binlogs');
    const plan = planReplay(indexes, parseGtidPosition(backup.gtidPosition), T, watermark);
    expect(plan.steps.length).toBeGreaterThan(0);
    await replayBinlogs(plan, store, address(target, target.primary()), login(target));
    expect(await target.cluster.query(target.primary(), 'SELECT id FROM app.t ORDER BY id')).toEqual([1, 2, 3, 4, 5].map((id) => ({ id })));
    const targetReplica = target.cluster.addresses().find((a) => a.name !== target.primary())!.name;
    await eventually('the new replica has the replayed rows', async () => (await target.cluster.query(targetReplica, 'SELECT * FROM app.t')).length === 5, 10_000, 50);
  }, 90_000);

  it('archives an instance whose binlogs are numbered from the start again (as after a rebuild) as a new generation', async () => {
    const store = new VolumeStore(dir);
    // A restarted operator: it knows the archive from the store only.
    const archive: ArchiveState = { archived: new Set() };
    const replica = source.cluster.addresses().find((a) => a.name !== source.primary() && a.name !== killed)!;
    // Archived as a primary's would be (the archive follows whichever instance is primary).
    const pass = () => archiveBinlogs(address(source, replica.name), login(source), store, 'ns/shop/binlogs', archive, Date.now);
    await pass();
    expect((await store.list(`ns/shop/binlogs/${replica.name}/binlog.000001`)).length).toBeGreaterThan(0);
    await source.cluster.query(replica.name, 'RESET MASTER');
    await source.cluster.query(source.primary(), 'CREATE TABLE app.u (id INT PRIMARY KEY)');
    await eventually('the replica logs the new table', async () => (await source.cluster.query(replica.name, 'SHOW TABLES IN app LIKE \'u\'')).length === 1, 10_000, 50);
    expect((await pass()).stored).toEqual([`ns/shop/binlogs/${replica.name}@2/binlog.000001`]);
    expect((await pass()).stored).toEqual([]);
  }, 30_000);
});
