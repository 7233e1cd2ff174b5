/**
 * bench:clone — how long a rebuild from a peer takes per GiB on MariaDB: the agent streams a
 * physical copy of a donor (mariadb-backup mbstream, checked against its trailers) to a target,
 * which unpacks and prepares it, then the target boots on it. One JSON line:
 *   {"bench":"clone","dataMiB":...,"copyBytes":...,"copyMs":...,"bootMs":...,"secondsPerGiB":...}
 * BENCH_CLONE_MIB (default 512) sets the size of the table written to the donor.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentClient } from '../src/agent/client.js';
import { agentToken } from '../src/agent/protocol.js';
import { createAgentServer } from '../src/agent/server.js';
import { eventually } from '../test/support/eventually.js';
import { startMariadbInstance, type MariadbInstance } from '../test/support/mariadb-instance.js';

const PASSWORD = 'bench-clone-password';
const MIB = Number(process.env.BENCH_CLONE_MIB ?? 512);

async function listen(server: Server): Promise<{ host: string; port: number }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
}

async function fill(db: MariadbInstance, mib: number): Promise<void> {
  const conn = await db.connect();
  try {
    await conn.query('SET GLOBAL read_only = OFF');
    await conn.query('CREATE DATABASE bench');
    await conn.query('CREATE TABLE bench.blob_rows (id INT AUTO_INCREMENT PRIMARY KEY, payload LONGBLOB)');
    // 1 MiB per row (a random hash repeated: the copy is not compressed, so its content does not matter).
    for (let i = 0; i < mib; i++) await conn.query('INSERT INTO bench.blob_rows (payload) VALUES (REPEAT(SHA2(RAND(), 512), 8192))');
  } finally {
    await conn.end();
  }
}

async function main(): Promise<void> {
  const donor = await startMariadbInstance({ podName: 'bench-mysql-0', adminPassword: PASSWORD, replicationMode: 'async' });
  const target = await startMariadbInstance({ podName: 'bench-mysql-1', adminPassword: PASSWORD, replicationMode: 'async' });
  const servers = [donor, target].map((db) => createAgentServer({ dataDir: db.dataDir, socket: db.socket, adminUser: db.adminUser, adminPassword: PASSWORD }));
  try {
    await fill(donor, MIB);
    const [donorAgent, targetAgent] = await Promise.all(servers.map(listen));
    const client = new AgentClient({ token: agentToken(PASSWORD) });
    const started = Date.now();
    await client.startRestore(targetAgent, { donor: donorAgent });
    const ready = await eventually('the copy ready', async () => {
      const state = await client.restoreState(targetAgent);
      if (state.phase === 'failed') throw new Error(state.error);
      return state.phase === 'ready' ? state : undefined;
    }, 3_600_000, 200);
    const copyMs = Date.now() - started;
    await eventually('the target fenced', () => target.pid() === undefined, 60_000);
    const booting = Date.now();
    await target.start();
    const bootMs = Date.now() - booting;
    const gib = ready.bytes / 2 ** 30;
    process.stdout.write(`${JSON.stringify({ bench: 'clone', dataMiB: MIB, copyBytes: ready.bytes, copyMs, bootMs, secondsPerGiB: Number(((copyMs + bootMs) / 1000 / gib).toFixed(1)) })}\n`);
  } finally {
    for (const s of servers) s.close();
    await Promise.all([donor.cleanup(), target.cleanup()]);
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`bench:clone: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
