/** The mbstream scanner: wanted files read out of a stream that passes through unchanged, however it is cut. */
import { describe, expect, it } from '@jest/globals';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { scanMbstream } from '../../src/backup/mbstream-scan.js';

function chunk(type: 'P' | 'E', path: string, payload = Buffer.alloc(0), offset = 0): Buffer {
  const name = Buffer.from(path);
  const head = Buffer.alloc(8 + 1 + 1 + 4);
  head.write('XBSTCK01');
  head[9] = type.charCodeAt(0);
  head.writeUInt32LE(name.length, 10);
  if (type === 'E') return Buffer.concat([head, name]);
  const sizes = Buffer.alloc(20);
  sizes.writeBigUInt64LE(BigInt(payload.length), 0);
  sizes.writeBigUInt64LE(BigInt(offset), 8);
  return Buffer.concat([head, name, sizes, payload]);
}

const stream = Buffer.concat([
  chunk('P', 'ibdata1', Buffer.alloc(70_000, 7)),
  chunk('E', 'ibdata1'),
  chunk('P', 'xtrabackup_binlog_info', Buffer.from('mysql-bin.000002\t'), 0),
  chunk('P', 'xtrabackup_binlog_info', Buffer.from('1234\t0-101-57\n'), 17),
  chunk('E', 'xtrabackup_binlog_info'),
  chunk('P', 'app/orders.ibd', Buffer.from('xtrabackup_binlog_info in a payload is not a file')),
  chunk('E', 'app/orders.ibd'),
]);

async function scan(pieces: Buffer[], wanted = ['xtrabackup_binlog_info']): Promise<{ files: Map<string, Buffer>; out: Buffer }> {
  const s = scanMbstream(wanted);
  const out: Buffer[] = [];
  await pipeline(Readable.from(pieces), s.stream, new Writable({ write(c: Buffer, _e, cb) { out.push(c); cb(); } }));
  return { files: s.files(), out: Buffer.concat(out) };
}

describe('scanMbstream', () => {
  it.each([1, 3, 17, 4096, stream.length])('finds the wanted file in pieces of %i bytes and passes every byte on', async (size) => {
    const pieces: Buffer[] = [];
    for (let i = 0; i < stream.length; i += size) pieces.push(stream.subarray(i, i + size));
    const { files, out } = await scan(pieces);
    expect([...files.keys()]).toEqual(['xtrabackup_binlog_info']);
    expect(files.get('xtrabackup_binlog_info')!.toString()).toBe('mysql-bin.000002\t1234\t0-101-57\n');
    expect(out.equals(stream)).toBe(true);
  });

  it('fails the stream on bytes that are not an mbstream', async () => {
    await expect(scan([Buffer.from('-- MariaDB dump 10.19\nCREATE TABLE t (id INT);\n')])).rejects.toThrow('not an mbstream: a chunk does not start with XBSTCK01');
  });
});
