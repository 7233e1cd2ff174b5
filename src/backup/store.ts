/**
 * Where backups and archived binlogs are kept: a key-value store of immutable objects. One
 * implementation writes a directory (the volume target), the other an S3 bucket.
 */
import type { Readable } from 'node:stream';

export interface StoredObject {
  key: string;
  size: number;
}

export interface BackupStore {
  /** A human-readable description of where `key` lives, with no credentials (for status and Events). */
  describe(key: string): string;
  /** Writes the object whole, or not at all (a failed write leaves nothing under `key`). */
  put(key: string, body: Readable | Buffer): Promise<number>;
  /** The object's bytes; rejects naming the key when it does not exist. */
  get(key: string): Promise<Readable>;
  /** undefined when there is no such object. */
  head(key: string): Promise<StoredObject | undefined>;
  /** Every object whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<StoredObject[]>;
  delete(keys: readonly string[]): Promise<void>;
}

/** Reads a whole object into memory: for the small JSON objects beside the data. */
export async function readAll(store: BackupStore, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
