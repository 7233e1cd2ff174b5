/**
 * A backup: a consistent logical copy of a replica's databases with `mariadb-dump
 * --single-transaction`, at the GTID position it is consistent with, compressed with gzip and
 * checksummed (SHA-256 of the stored bytes) on its way to the store.
 */
import { PassThrough, Transform } from 'node:stream';
import { createGzip } from 'node:zlib';
import { measuring } from '../measuring-stream.js';
import type { InstanceAddress } from '../mysql/ports.js';
import { connectionArgs, runTool, type Login } from './client-tools.js';
import { DUMP_OBJECT, MANIFEST_OBJECT } from './locations.js';
import type { BackupStore } from './store.js';

/** status.method of a dump; backups made before there were two methods say 'mariadb-dump'. */
export const DUMP_METHOD = 'logical';

/** What a completed backup stored; manifest.json beside the dump holds the same. */
export interface BackupManifest {
  method: string;
  sha256: string;
  size: number;
  /** Bytes before compression (SQL, or the physical copy's mbstream). */
  dumpedBytes: number;
  gtidPosition: string;
  /** The databases dumped; a physical copy holds every one. */
  databases?: string[];
  startTime: string;
  completionTime: string;
}

const GTID_LINE = /SET GLOBAL gtid_slave_pos\s*=\s*'([^']*)'/;

/** The databases to copy: every one but the server's own. */
export const SYSTEM_DATABASES = ['mysql', 'information_schema', 'performance_schema', 'sys'];


/** Finds the GTID position line wherever mariadb-dump writes it, passing everything on. */
function gtidScanner(): { stream: Transform; position(): string | undefined } {
  let tail = '';
  let found: string | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (found === undefined) {
        // The line may straddle two chunks: keep the end of the previous one.
        const text = tail + chunk.toString('latin1');
        found = GTID_LINE.exec(text)?.[1];
        tail = text.slice(-200);
      }
      cb(null, chunk);
    },
  });
  return { stream, position: () => found };
}

export interface DumpOptions {
  source: InstanceAddress;
  login: Login;
  databases: string[];
  store: BackupStore;
  /** Where in the store: `<location>/dump.sql.gz` and `<location>/manifest.json`. */
  location: string;
  now: () => Date;
}

export async function dumpToStore(opts: DumpOptions): Promise<BackupManifest> {
  if (opts.databases.length === 0) throw new Error(`${opts.source.name} has no database to back up`);
  const startTime = opts.now().toISOString();
  const tool = runTool('mariadb-dump', [
    ...connectionArgs(opts.source, opts.login),
    '--single-transaction', '--gtid', '--master-data=2', '--routines', '--events', '--triggers', '--hex-blob',
    '--databases', ...opts.databases,
  ], opts.login);
  const scanner = gtidScanner();
  const raw = measuring();
  const measure = measuring();
  const body = new PassThrough();
  tool.child.stdout.pipe(scanner.stream).pipe(raw.stream).pipe(createGzip({ level: 6 })).pipe(measure.stream).pipe(body);
  const [stored] = await Promise.all([
    opts.store.put(`${opts.location}/${DUMP_OBJECT}`, body),
    tool.done.catch((err: unknown) => {
      body.destroy(err as Error);
      throw err;
    }),
  ]);
  const gtidPosition = scanner.position();
  if (gtidPosition === undefined) throw new Error(`mariadb-dump on ${opts.source.name} wrote no GTID position (is binary logging on?)`);
  const { sha256, size } = measure.digest();
  if (size !== stored) throw new Error(`${opts.store.describe(opts.location)}: stored ${stored} bytes of ${size}`);
  const manifest: BackupManifest = {
    method: DUMP_METHOD, sha256, size, dumpedBytes: raw.digest().size, gtidPosition, databases: opts.databases, startTime, completionTime: opts.now().toISOString(),
  };
  await opts.store.put(`${opts.location}/${MANIFEST_OBJECT}`, Buffer.from(JSON.stringify(manifest, null, 2)));
  return manifest;
}
