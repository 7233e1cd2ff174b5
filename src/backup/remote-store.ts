/**
 * The volume target as the operator reaches it: the stack's backup store over HTTP (store-protocol.ts),
 * bodies streamed both ways. Errors name the store and the key, never the token.
 */
import http, { type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errorOf, readAll } from '../agent/http-json.js';
import type { BackupStore, StoredObject } from './store.js';
import { objectPath, STORE_PATHS } from './store-protocol.js';

export interface StoreTarget {
  host: string;
  port: number;
  /** The stack's store token. Never logged. */
  token: string;
  /** What errors call it, e.g. `the backup store of shop/shop (10.0.0.7:3391)`. */
  name: string;
}

/** A request with no byte moving for this long fails. */
const IDLE_MS = 120_000;

export class RemoteStore implements BackupStore {
  constructor(private readonly target: StoreTarget) {}

  describe(key: string): string {
    return `volume:${key}`;
  }

  async put(key: string, body: Readable | Buffer): Promise<number> {
    const res = await this.request('PUT', objectPath(key), Buffer.isBuffer(body) ? Readable.from([body]) : body);
    return (await this.json<{ size: number }>(res, `storing ${key}`)).size;
  }

  async get(key: string): Promise<Readable> {
    const res = await this.request('GET', objectPath(key));
    if (res.statusCode === 404) {
      res.resume();
      throw new Error(`${this.describe(key)}: no such backup object`);
    }
    if (res.statusCode !== 200) throw new Error(`reading ${key} from ${this.target.name}: ${await errorOf(res)}`);
    return res;
  }

  async head(key: string): Promise<StoredObject | undefined> {
    const res = await this.request('HEAD', objectPath(key));
    res.resume();
    if (res.statusCode === 404) return undefined;
    if (res.statusCode !== 200) throw new Error(`looking up ${key} at ${this.target.name}: HTTP ${res.statusCode}`);
    return { key, size: Number(res.headers['content-length']) };
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const res = await this.request('GET', `${STORE_PATHS.list}?prefix=${encodeURIComponent(prefix)}`);
    return this.json<StoredObject[]>(res, `listing ${prefix}`);
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const res = await this.request('POST', STORE_PATHS.delete, JSON.stringify({ keys }));
    await this.json(res, `deleting ${keys.length} objects`);
  }

  private async json<T>(res: IncomingMessage, what: string): Promise<T> {
    if (res.statusCode !== 200) throw new Error(`${what} at ${this.target.name}: ${await errorOf(res)}`);
    return JSON.parse(await readAll(res)) as T;
  }

  /** `body`: a stream sent as it is, or a JSON text. */
  private request(method: string, path: string, body?: Readable | string): Promise<IncomingMessage> {
    const { host, port, token, name } = this.target;
    return new Promise((resolve, reject) => {
      const req = http.request({
        host, port, method, path,
        headers: {
          authorization: `Bearer ${token}`,
          ...(typeof body === 'string' ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
          ...(body instanceof Readable ? { 'content-type': 'application/octet-stream' } : {}),
        },
      }, resolve);
      req.setTimeout(IDLE_MS, () => req.destroy(new Error(`${method} ${path} at ${name}: nothing moved for ${IDLE_MS} ms`)));
      req.once('error', (err) => reject(new Error(`${method} ${path} at ${name}: ${err.message}`)));
      if (body instanceof Readable) {
        // A source that fails aborts the upload: the store then keeps nothing of it.
        pipeline(body, req).catch((err: unknown) => req.destroy(err instanceof Error ? err : new Error(String(err))));
      } else req.end(body);
    });
  }
}
