/**
 * A watch's lines are written together once the events of one turn of the event loop are in: a
 * burst reaches the watcher in one write, in order, and a burst over a megabyte is written as it
 * goes. Served over a real HTTP connection; the response's writes are counted.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, get, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WatchLines } from '../../../src/sandbox/apiserver/watch-lines.js';

let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** Serves one response written by `write`; resolves with the body received and how many writes the response took. */
async function serve(write: (lines: WatchLines) => Promise<void>): Promise<{ body: string; writes: number }> {
  let writes = 0;
  server = createServer((_req, res: ServerResponse) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    const real = res.write.bind(res) as (chunk: string) => boolean;
    res.write = ((chunk: string) => {
      writes++;
      return real(chunk);
    }) as typeof res.write;
    void write(new WatchLines(res));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const body = await new Promise<string>((resolve, reject) => {
    get(`http://127.0.0.1:${(server!.address() as AddressInfo).port}/`, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
  return { body, writes };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('WatchLines', () => {
  it('writes the lines of one turn together, in order, and what is pending before it ends', async () => {
    const { body, writes } = await serve(async (lines) => {
      for (let i = 0; i < 100; i++) lines.write(`${i}\n`);
      await nextTurn();
      await nextTurn();
      lines.write('100\n');
      lines.write('101\n');
      lines.end();
    });
    expect(body).toBe(Array.from({ length: 102 }, (_, i) => `${i}\n`).join(''));
    expect(writes).toBe(2);
  });

  it('writes a burst over a megabyte as it goes', async () => {
    const line = `${'x'.repeat(1023)}\n`;
    const { body, writes } = await serve(async (lines) => {
      for (let i = 0; i < 3000; i++) lines.write(line);
      lines.end();
    });
    expect(body.length).toBe(3000 * 1024);
    expect(writes).toBeGreaterThanOrEqual(3);
    expect(writes).toBeLessThanOrEqual(4);
  });
});
