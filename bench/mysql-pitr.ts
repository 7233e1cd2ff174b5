/**
 * bench:mysql-pitr — the operator's side of MySQL 8.4 point-in-time recovery per GiB of binlog (no
 * MySQL server runs here): byte-exact 8.4 binlog files (test/backup/mysql-binlog-builder.ts) are
 * archived from a primary's data directory through the real agent into a volume store (stream,
 * SHA-256 trailer, CRC32-checked index), then placed through another agent as the relay log of the
 * point-in-time channel, as a restore does before the server's applier runs. One JSON line:
 *   {"bench":"mysql-pitr","binlogMiB":...,"transactions":...,"indexMiBPerSecond":...,"archiveSecondsPerGiB":...,"placeSecondsPerGiB":...}
 * BENCH_PITR_MIB (default 256) sets the binlog size, in files of 64 MiB.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AgentClient } from '../src/agent/client.js';
import { agentToken } from '../src/agent/protocol.js';
import { createAgentServer } from '../src/agent/server.js';
import { archiveMysqlBinlogs } from '../src/backup/mysql-binlog-archive.js';
import { mysqlBinlogTransactions } from '../src/backup/mysql-binlog-file.js';
import { readAll } from '../src/backup/store.js';
import { VolumeStore } from '../src/backup/volume-store.js';
import { mysqlBinlog } from '../test/backup/mysql-binlog-builder.js';

const PASSWORD = 'bench-pitr-password';
const MIB = Number(process.env.BENCH_PITR_MIB ?? 256);
const FILE_MIB = 64;
const ROW_BYTES = 1024;
const SOURCE = '3e11fa47-71ca-11e1-9e33-c80aa9429562';

async function agentOn(dataDir: string): Promise<{ server: Server; target: { host: string; port: number } }> {
  mkdirSync(dataDir, { recursive: true });
  const server = createAgentServer({ dataDir, socket: path.join(dataDir, 'none.sock'), adminUser: 'admin', adminPassword: PASSWORD });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, target: { host: '127.0.0.1', port: (server.address() as AddressInfo).port } };
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'bench-pitr-'));
  const servers: Server[] = [];
  try {
    const primaryDir = path.join(work, 'primary');
    mkdirSync(primaryDir);
    const perFile = Math.floor((FILE_MIB * 1024 * 1024) / (ROW_BYTES + 220));
    const files = Math.max(1, Math.round(MIB / FILE_MIB));
    const names: string[] = [];
    let gno = 1;
    let indexMs = 0;
    let bytes = 0;
    for (let f = 0; f < files; f++) {
      const txs = Array.from({ length: perFile }, () => ({ source: SOURCE, gno: gno++, commitUs: 1_764_806_400_000_000 + gno * 1000 }));
      const file = mysqlBinlog(txs, { previous: f === 0 ? '' : `${SOURCE}:1-${txs[0].gno - 1}`, rowBytes: ROW_BYTES });
      const name = `binlog.${String(f + 1).padStart(6, '0')}`;
      writeFileSync(path.join(primaryDir, name), file);
      names.push(name);
      bytes += file.length;
      const began = performance.now();
      mysqlBinlogTransactions(file, name);
      indexMs += performance.now() - began;
    }
    names.push(`binlog.${String(files + 1).padStart(6, '0')}`);
    writeFileSync(path.join(primaryDir, names[files]), mysqlBinlog([], { inUse: true }));
    writeFileSync(path.join(primaryDir, 'binlog.index'), names.map((n) => `./${n}\n`).join(''));

    const agents = new AgentClient({ token: agentToken(PASSWORD) });
    const primary = await agentOn(primaryDir);
    servers.push(primary.server);
    const store = new VolumeStore(path.join(work, 'store'));
    const archiveBegan = performance.now();
    await archiveMysqlBinlogs({
      primary: 'shop-mysql-0', agents, agent: primary.target, store, prefix: 'ns/shop/binlogs', state: { archived: new Set() }, nowMs: Date.now,
      sql: async (text) => (text === 'SHOW BINARY LOGS' ? names.map((n) => ({ Log_name: n })) : text.startsWith('SELECT') ? [{ gtid: `${SOURCE}:1-${gno - 1}` }] : []),
    });
    const archiveMs = performance.now() - archiveBegan;

    const restored = await agentOn(path.join(work, 'restored'));
    servers.push(restored.server);
    const placeBegan = performance.now();
    for (const [i, name] of names.slice(0, files).entries()) {
      const key = `ns/shop/binlogs/shop-mysql-0/${name}`;
      const index = JSON.parse((await readAll(store, `${key}.index.json`)).toString('utf8')) as { sha256: string };
      await agents.placeRelayLog(restored.target, i + 1, index.sha256, await store.get(key));
    }
    const placeMs = performance.now() - placeBegan;
    const gib = bytes / 2 ** 30;
    console.log(JSON.stringify({
      bench: 'mysql-pitr', binlogMiB: Math.round(bytes / 2 ** 20), files, transactions: gno - 1,
      indexMiBPerSecond: Math.round(bytes / 2 ** 20 / (indexMs / 1000)),
      archiveSecondsPerGiB: Number((archiveMs / 1000 / gib).toFixed(1)), placeSecondsPerGiB: Number((placeMs / 1000 / gib).toFixed(1)),
    }));
  } finally {
    for (const s of servers) s.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
