import { afterAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { ServiceProxy } from '../../../src/sandbox/runtime/service-proxy.js';

/** A TCP server on 127.0.0.1 that answers every connection with its name. */
async function namedServer(name: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((s) => s.end(name));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
}

function ask(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    let data = '';
    s.on('data', (d) => { data += d.toString(); });
    s.on('close', () => resolve(data));
    s.on('error', reject);
  });
}

describe('ServiceProxy', () => {
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => { for (const c of closers) await c(); });

  it('forwards connections round robin and skips an endpoint that refuses', async () => {
    const a = await namedServer('a');
    const b = await namedServer('b');
    const gone = await namedServer('gone');
    await gone.close();
    closers.push(a.close, b.close);
    const proxy = new ServiceProxy('127.0.0.1', 0);
    closers.push(() => proxy.close());
    const port = await proxy.listen();
    proxy.setBackends([{ ip: '127.0.0.1', port: a.port }, { ip: '127.0.0.1', port: b.port }]);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await ask('127.0.0.1', port));
    expect(answers).toEqual(['a', 'b', 'a', 'b']);

    proxy.setBackends([{ ip: '127.0.0.1', port: gone.port }, { ip: '127.0.0.1', port: b.port }]);
    const after = [];
    for (let i = 0; i < 3; i++) after.push(await ask('127.0.0.1', port));
    expect(after).toEqual(['b', 'b', 'b']);
  });

  it('closes a connection when no endpoint serves', async () => {
    const proxy = new ServiceProxy('127.0.0.1', 0);
    closers.push(() => proxy.close());
    expect(await ask('127.0.0.1', await proxy.listen())).toBe('');
  });
});
