/**
 * The backup store's object API (store-server.ts) through the operator's client (remote-store.ts),
 * on a real directory: streaming both ways, list, head, delete; no token, no access; an upload cut
 * short leaves nothing; keys can't leave the volume.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { RemoteStore } from '../../src/backup/remote-store.js';
import { readAll } from '../../src/backup/store.js';
import { objectPath, STORE_PATHS } from '../../src/backup/store-protocol.js';
import { createStoreServer } from '../../src/backup/store-server.js';

const TOKEN = 'a'.repeat(64);
let dir: string;
let server: http.Server;
let port: number;
let store: RemoteStore;

function raw(method: string, urlPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.once('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'backup-store-'));
  server = createStoreServer({ dir, token: TOKEN });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  store = new RemoteStore({ host: '127.0.0.1', port, token: TOKEN, name: 'the test store' });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('the backup store', () => {
  it('streams an object in and out, lists, heads and deletes', async () => {
    // 24 MiB in 1 MiB chunks, produced as the upload reads them: never one buffer of the whole.
    const chunk = (i: number) => Buffer.alloc(1 << 20, i);
    const sent = createHash('sha256');
    const body = Readable.from((function* () {
      for (let i = 0; i < 24; i++) {
        const c = chunk(i);
        sent.update(c);
        yield c;
      }
    })());
    expect(await store.put('ns/shop/backups/b1/physical.mbstream.gz', body)).toBe(24 << 20);
    expect(await store.put('ns/shop/backups/b1/manifest.json', Buffer.from('{"ok":true}'))).toBe(11);
    await store.put('ns/other/backups/b9/manifest.json', Buffer.from('{}'));
    const received = createHash('sha256');
    for await (const c of await store.get('ns/shop/backups/b1/physical.mbstream.gz')) received.update(c as Buffer);
    expect(received.digest('hex')).toBe(sent.digest('hex'));
    expect(readFileSync(path.join(dir, 'ns/shop/backups/b1/manifest.json'), 'utf8')).toBe('{"ok":true}');
    expect(await store.list('ns/shop/')).toEqual([
      { key: 'ns/shop/backups/b1/manifest.json', size: 11 },
      { key: 'ns/shop/backups/b1/physical.mbstream.gz', size: 24 << 20 },
    ]);
    expect(await store.head('ns/shop/backups/b1/manifest.json')).toEqual({ key: 'ns/shop/backups/b1/manifest.json', size: 11 });
    expect(await store.head('ns/shop/backups/nope')).toBeUndefined();
    await expect(store.get('ns/shop/backups/nope')).rejects.toThrow('volume:ns/shop/backups/nope: no such backup object');
    await store.delete(['ns/shop/backups/b1/physical.mbstream.gz', 'ns/shop/backups/b1/manifest.json', 'ns/shop/never-there']);
    expect(await store.list('ns/shop/')).toEqual([]);
    expect((await readAll(store, 'ns/other/backups/b9/manifest.json')).toString()).toBe('{}');
  }, 30_000);

  it('answers nothing without the token, or with another one', async () => {
    await store.put('ns/shop/secret-ish', Buffer.from('rows'));
    for (const headers of [{}, { authorization: `Bearer ${'b'.repeat(64)}` }, { authorization: TOKEN }] as Record<string, string>[]) {
      for (const [method, p] of [['GET', objectPath('ns/shop/secret-ish')], ['GET', `${STORE_PATHS.list}?prefix=ns`], ['PUT', objectPath('ns/shop/x')], ['POST', STORE_PATHS.delete]]) {
        expect(await raw(method, p, headers)).toEqual({ status: 401, body: JSON.stringify({ error: 'a valid bearer token is required' }) });
      }
    }
    const wrong = new RemoteStore({ host: '127.0.0.1', port, token: 'b'.repeat(64), name: 'the test store' });
    await expect(wrong.list('ns/')).rejects.toThrow('listing ns/ at the test store: HTTP 401: a valid bearer token is required');
    expect(existsSync(path.join(dir, 'ns/shop/x'))).toBe(false);
    // The kubelet's readiness probe carries no token.
    expect((await raw('GET', STORE_PATHS.health)).status).toBe(200);
  });

  it('keeps nothing of an upload whose source fails, and keeps keys inside the volume', async () => {
    const failing = Readable.from((async function* () {
      yield Buffer.alloc(1 << 20, 1);
      await new Promise((r) => setTimeout(r, 50));
      throw new Error('the source broke');
    })());
    await expect(store.put('ns/shop/backups/cut/dump.sql.gz', failing)).rejects.toThrow(/the source broke|socket hang up|aborted/);
    // The store notices the cut connection on its own time.
    for (let i = 0; i < 100 && existsSync(path.join(dir, 'ns/shop/backups/cut/dump.sql.gz.partial')); i++) await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(path.join(dir, 'ns/shop/backups/cut'))).toEqual([]);
    expect(await store.head('ns/shop/backups/cut/dump.sql.gz')).toBeUndefined();
    expect((await raw('GET', `${STORE_PATHS.objects}/ns/%2E%2E/%2E%2E/etc`, { authorization: `Bearer ${TOKEN}` })).status).toBe(400);
    expect((await raw('GET', `${STORE_PATHS.objects}/ns/a%2Fb`, { authorization: `Bearer ${TOKEN}` })).status).toBe(400);
  });
});
