/** The database server of this pod, seen from the agent beside it: its process (for a fence) and its disk. */
import { readFileSync } from 'node:fs';
import { readdir, lstat, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { DiskUsage } from './protocol.js';

/** The start script runs the server with --pid-file here. */
export const PID_FILE = 'mysqld.pid';
const SERVER_NAMES = new Set(['mysqld', 'mariadbd']);

export class NoServerError extends Error {}

/**
 * SIGKILL of the local server: no graceful shutdown, so a commit still waiting for a semi-sync
 * acknowledgement never completes. The pid comes from the server's pid file and must name a
 * mysqld or mariadbd process (the pod shares its process namespace), so nothing else is killed.
 */
export function fenceServer(dataDir: string, kill: (pid: number, signal: NodeJS.Signals) => void = process.kill): number {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(dataDir, PID_FILE), 'utf8').trim());
  } catch {
    throw new NoServerError(`no server is running (no ${PID_FILE} in ${dataDir})`);
  }
  let comm: string;
  try {
    comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    throw new NoServerError(`no server is running (pid ${pid} from ${PID_FILE} is gone)`);
  }
  if (!Number.isInteger(pid) || pid <= 1 || !SERVER_NAMES.has(comm)) {
    throw new NoServerError(`pid ${pid} from ${PID_FILE} is '${comm}', not a database server`);
  }
  kill(pid, 'SIGKILL');
  return pid;
}

async function bytesUnder(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await bytesUnder(full);
    else {
      try {
        total += (await lstat(full)).size;
      } catch {
        // Removed while we walked (a rotated log).
      }
    }
  }
  return total;
}

/** The data directory's size and its volume's (the data directory's parent is the mount). */
export async function diskUsage(dataDir: string): Promise<DiskUsage> {
  const fs = await statfs(path.dirname(dataDir));
  return {
    dataBytes: await bytesUnder(dataDir),
    volumeBytes: fs.blocks * fs.bsize,
    volumeFreeBytes: fs.bavail * fs.bsize,
  };
}
