/**
 * Reads the files named in `wanted` out of an mbstream (mariadb-backup --stream=mbstream) as it
 * passes through, without unpacking the rest: a physical backup learns its GTID position from the
 * copy's binlog info file on its way to the store. The format is a sequence of chunks:
 * "XBSTCK01", flags (1 byte), type (1: 'P' payload, 'E' end of file), path length (uint32 LE),
 * path, then for 'P': payload length (uint64 LE), offset (uint64 LE), CRC-32 (4 bytes), payload.
 */
import { Transform } from 'node:stream';

const MAGIC = Buffer.from('XBSTCK01');
const FIXED_HEADER = MAGIC.length + 1 + 1 + 4;
const PAYLOAD_HEADER = 8 + 8 + 4;

export interface MbstreamScan {
  stream: Transform;
  /** The wanted files seen so far, whole (their payload chunks concatenated by offset). */
  files(): Map<string, Buffer>;
}

export function scanMbstream(wanted: readonly string[]): MbstreamScan {
  const found = new Map<string, Buffer>();
  let pending: Buffer = Buffer.alloc(0);
  /** Bytes of the current payload still to pass, and whether they are kept (a wanted file's). */
  let skip = 0;
  let keep: string | undefined;
  let failed: Error | undefined;

  const keepBytes = (path: string, bytes: Buffer): void => {
    found.set(path, Buffer.concat([found.get(path) ?? Buffer.alloc(0), bytes]));
  };

  /** Consumes whole headers (and payload bytes) from `pending`; stops when more bytes are needed. */
  const parse = (): void => {
    for (;;) {
      if (skip > 0) {
        const n = Math.min(skip, pending.length);
        if (keep !== undefined) keepBytes(keep, pending.subarray(0, n));
        pending = pending.subarray(n);
        skip -= n;
        if (skip > 0) return;
        keep = undefined;
      }
      if (pending.length < FIXED_HEADER) return;
      if (!pending.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not an mbstream: a chunk does not start with XBSTCK01');
      const type = String.fromCharCode(pending[MAGIC.length + 1]);
      const pathLength = pending.readUInt32LE(MAGIC.length + 2);
      const afterPath = FIXED_HEADER + pathLength;
      if (type === 'E') {
        if (pending.length < afterPath) return;
        pending = pending.subarray(afterPath);
        continue;
      }
      if (type !== 'P') throw new Error(`mbstream: unknown chunk type '${type}'`);
      if (pending.length < afterPath + PAYLOAD_HEADER) return;
      const path = pending.subarray(FIXED_HEADER, afterPath).toString('utf8');
      const length = Number(pending.readBigUInt64LE(afterPath));
      pending = pending.subarray(afterPath + PAYLOAD_HEADER);
      skip = length;
      keep = wanted.includes(path) ? path : undefined;
    }
  };

  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (failed === undefined) {
        pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
        try {
          parse();
        } catch (err) {
          failed = err as Error;
        }
      }
      cb(null, chunk);
    },
    flush(cb) {
      cb(failed);
    },
  });
  return { stream, files: () => found };
}
