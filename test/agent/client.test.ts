/** A physical copy counts only when it arrived whole: the client checks it against the trailers. */
import { afterEach, describe, expect, it } from '@jest/globals';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { AgentClient } from '../../src/agent/client.js';
import { parseBinlogInfo } from '../../src/agent/mariadb-backup.js';
import { COPY_TRAILERS } from '../../src/agent/protocol.js';

const BODY = Buffer.from('an mbstream, as far as this test is concerned');
const SHA = '7b2b1bbbdcf8a5e9f3fb0b1b1fe6d7fb7ac2ec2f3b2bd8d5a56d18e2d0d96c1e';

let server: Server | undefined;
afterEach(() => { server?.close(); });

async function donorSending(trailers: Record<string, string> | undefined): Promise<{ host: string; port: number }> {
  server = http.createServer((_req, res) => {
    res.writeHead(200, { trailer: Object.values(COPY_TRAILERS).join(', ') });
    res.write(BODY);
    if (trailers) res.addTrailers(trailers);
    if (trailers) res.end();
    else res.destroy();
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
}

const discard = () => new Writable({ write(_c, _e, done) { done(); } });
const client = new AgentClient({ token: 't' });

describe('AgentClient.physicalCopy', () => {
  it('accepts a copy whose length and SHA-256 match the trailers', async () => {
    const { createHash } = await import('node:crypto');
    const sha256 = createHash('sha256').update(BODY).digest('hex');
    const donor = await donorSending({ [COPY_TRAILERS.sha256]: sha256, [COPY_TRAILERS.bytes]: String(BODY.length), [COPY_TRAILERS.result]: 'ok' });
    await expect(client.physicalCopy(donor, discard())).resolves.toEqual({ bytes: BODY.length, sha256 });
  });

  it('refuses a copy whose checksum differs', async () => {
    const donor = await donorSending({ [COPY_TRAILERS.sha256]: SHA, [COPY_TRAILERS.bytes]: String(BODY.length), [COPY_TRAILERS.result]: 'ok' });
    await expect(client.physicalCopy(donor, discard())).rejects.toThrow(/damaged/);
  });

  it('refuses a copy the donor reports as failed, naming why', async () => {
    const donor = await donorSending({ [COPY_TRAILERS.sha256]: SHA, [COPY_TRAILERS.bytes]: '1', [COPY_TRAILERS.result]: 'mariadb-backup exited with code 1: disk full' });
    await expect(client.physicalCopy(donor, discard())).rejects.toThrow(/failed at the donor: mariadb-backup exited with code 1: disk full/);
  });

  it('refuses a copy cut off before its trailers', async () => {
    const donor = await donorSending(undefined);
    await expect(client.physicalCopy(donor, discard())).rejects.toThrow();
  });
});

describe('parseBinlogInfo', () => {
  it.each([
    ['binlog.000003\t1234\t0-100-55', '0-100-55'],
    ['binlog.000003\t1234\t0-100-55,1-101-3\n', '0-100-55,1-101-3'],
    ['binlog.000001\t329', ''],
  ])('%j -> %j', (text, gtid) => expect(parseBinlogInfo(text)).toBe(gtid));

  it('refuses a line that is not a position', () => {
    expect(() => parseBinlogInfo('nonsense')).toThrow(/not '<file> <offset> <gtid list>'/);
    expect(() => parseBinlogInfo("binlog.1 4 0-1-2';DROP")).toThrow();
  });
});
