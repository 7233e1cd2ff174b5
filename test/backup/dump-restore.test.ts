/**
 * Backup and restore on real MariaDB: a dump from a replica of one stack, through the volume store,
 * into the primary of a new stack, whose replica then has the rows too; a corrupted dump is refused.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dumpToStore } from '../../src/backup/dump.js';
import { DUMP_OBJECT } from '../../src/backup/locations.js';
import { CorruptBackupError, restoreDump } from '../../src/backup/restore.js';
import { VolumeStore } from '../../src/backup/volume-store.js';
import type { Stack } from '../mysql/harness.js';
import { address, login, sourceAndTarget } from './source-and-target.js';
import { eventually } from '../support/eventually.js';

let source: Stack;
let target: Stack;
let dir: string;

sourceAndTarget('webstack-backups-', 2, (s, t, d) => {
  [source, target, dir] = [s, t, d];
});

const replicaOf = (s: Stack) => s.cluster.addresses().find((a) => a.name !== s.primary())!;

describe('dumpToStore and restoreDump', () => {
  it('copy a replica consistently, with its GTID position, and load it into a new primary that replicates it', async () => {
    const primary = source.primary();
    await source.cluster.query(primary, 'CREATE TABLE app.orders (id INT PRIMARY KEY, note VARCHAR(64))');
    await source.cluster.query(primary, "INSERT INTO app.orders VALUES (1, 'first'), (2, 'it''s quoted'), (3, NULL)");
    const replica = replicaOf(source);
    await eventually('the replica has the rows', async () =>
      (await source.cluster.query<{ n: number }>(replica.name, 'SELECT COUNT(*) AS n FROM app.orders'))[0]?.n === 3, 10_000, 50);

    const store = new VolumeStore(dir);
    const manifest = await dumpToStore({ source: replica, login: login(source), databases: ['app'], store, location: 'ns/shop/backups/b1', now: () => new Date() });
    const [{ pos }] = await source.cluster.query<{ pos: string }>(primary, 'SELECT @@gtid_binlog_pos AS pos');
    expect(manifest.gtidPosition).toBe(pos);
    expect(manifest.size).toBe(readFileSync(path.join(dir, 'ns/shop/backups/b1', DUMP_OBJECT)).length);
    expect(JSON.stringify(manifest)).not.toContain(source.cluster.credentials.adminPassword);

    await restoreDump({ store, location: 'ns/shop/backups/b1', sha256: manifest.sha256, backupName: 'b1', target: address(target, target.primary()), login: login(target) });
    const rows = await target.cluster.query(target.primary(), 'SELECT id, note FROM app.orders ORDER BY id');
    expect(rows).toEqual([{ id: 1, note: 'first' }, { id: 2, note: "it's quoted" }, { id: 3, note: null }]);
    const targetReplica = replicaOf(target).name;
    await eventually('the new stack\'s replica has the rows', async () =>
      (await target.cluster.query<{ n: number }>(targetReplica, 'SELECT COUNT(*) AS n FROM app.orders'))[0]?.n === 3, 10_000, 50);
  }, 60_000);

  it('refuses a corrupted dump, naming the backup, and writes nothing', async () => {
    const file = path.join(dir, 'ns/shop/backups/b1', DUMP_OBJECT);
    const bytes = readFileSync(file);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'ns/shop/backups/b1/manifest.json'), 'utf8')) as { sha256: string };
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    writeFileSync(file, bytes);
    await target.cluster.query(target.primary(), 'DROP TABLE app.orders');
    const restoring = restoreDump({ store: new VolumeStore(dir), location: 'ns/shop/backups/b1', sha256: manifest.sha256, backupName: 'b1',
      target: address(target, target.primary()), login: login(target) });
    await expect(restoring).rejects.toThrow(CorruptBackupError);
    await expect(restoring).rejects.toThrow(/backup b1 is corrupted: volume:ns\/shop\/backups\/b1\/dump\.sql\.gz has SHA-256 [0-9a-f]{64}, the backup recorded/);
    expect(await target.cluster.query(target.primary(), "SHOW TABLES FROM app LIKE 'orders'")).toEqual([]);
  }, 30_000);
});
