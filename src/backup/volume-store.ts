/** The volume target: objects are files under a directory (the operator's backup volume). */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BackupStore, StoredObject } from './store.js';

export class VolumeStore implements BackupStore {
  constructor(private readonly root: string) {}

  describe(key: string): string {
    return `volume:${key}`;
  }

  private file(key: string): string {
    const file = path.resolve(this.root, key);
    if (!file.startsWith(path.resolve(this.root) + path.sep)) throw new Error(`backup key '${key}' leaves the backup directory`);
    return file;
  }

  async put(key: string, body: Readable | Buffer): Promise<number> {
    const file = this.file(key);
    await mkdir(path.dirname(file), { recursive: true });
    const partial = `${file}.partial`;
    try {
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, createWriteStream(partial));
      await rename(partial, file);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
    return (await stat(file)).size;
  }

  async get(key: string): Promise<Readable> {
    const file = this.file(key);
    await stat(file).catch(() => { throw new Error(`${this.describe(key)}: no such backup object`); });
    return createReadStream(file);
  }

  async head(key: string): Promise<StoredObject | undefined> {
    const s = await stat(this.file(key)).catch(() => undefined);
    return s?.isFile() ? { key, size: s.size } : undefined;
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else if (e.isFile() && !e.name.endsWith('.partial')) {
          const key = path.relative(this.root, full).split(path.sep).join('/');
          if (key.startsWith(prefix)) out.push({ key, size: (await stat(full)).size });
        }
      }
    };
    const base = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    await walk(path.join(this.root, base));
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  async delete(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((k) => rm(this.file(k), { force: true })));
  }
}
