/**
 * The local server's closed binlog files, served by name for the point-in-time archive (MySQL:
 * the operator reads them through the agent, which mounts the data directory). Only a name of the
 * server's own binlog (`binlog.NNNNNN`) listed in its index, and not the last one (still being
 * written), is served: a caller names a file, never a path.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { BINLOG_BASENAME } from '../render/mysql-config.js';
import type { BackupStream, ToolExit } from './mariadb-backup.js';

const BINLOG_NAME = new RegExp(`^${BINLOG_BASENAME}\\.[0-9]{6,10}$`);

export class BinlogRequestError extends Error {
  constructor(message: string, readonly status: 400 | 404 | 409) {
    super(message);
  }
}

/** The file names the server's binlog index lists, oldest first. */
function indexedBinlogs(dataDir: string): string[] {
  const index = path.join(dataDir, `${BINLOG_BASENAME}.index`);
  if (!existsSync(index)) return [];
  return readFileSync(index, 'utf8').split('\n').map((l) => path.basename(l.trim())).filter(Boolean);
}

/** A closed binlog file of the local server as a stream; refused with a status for a bad, unknown or open name. */
export function closedBinlogStream(dataDir: string, name: string): BackupStream {
  if (!BINLOG_NAME.test(name)) throw new BinlogRequestError(`'${name}' is not a binlog file name (${BINLOG_BASENAME}.NNNNNN)`, 400);
  const listed = indexedBinlogs(dataDir);
  const at = listed.indexOf(name);
  if (at < 0) throw new BinlogRequestError(`${name} is not in the server's binlog index`, 404);
  if (at === listed.length - 1) throw new BinlogRequestError(`${name} is still being written (the newest binlog): flush it first`, 409);
  const file = createReadStream(path.join(dataDir, name));
  const stream = new PassThrough();
  const exit = new Promise<ToolExit>((resolve) => {
    file.once('end', () => resolve({ ok: true, message: `${name}: read` }));
    // The reader sees the stream end, and the trailer says why.
    file.once('error', (err) => {
      resolve({ ok: false, message: `reading ${name}: ${err.message}` });
      stream.end();
    });
  });
  file.pipe(stream);
  // Nothing to stop: a closed file is read to its end, which the server drains when the reader goes away.
  return { stream, exit, abort: () => undefined };
}
