/**
 * The S3 target (any S3-compatible server). A stream is staged in a temporary file first, so the
 * upload knows its length and a failed backup never leaves a partial object. Credentials stay in
 * the client: no message built here carries them.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import type { BackupStore, StoredObject } from './store.js';

export interface S3Location {
  endpoint?: string;
  bucket: string;
  region: string;
  forcePathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
}

/** An S3 error without the request (whose signature headers derive from the key). */
function s3Error(what: string, err: unknown): Error {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : '';
  return new Error(`${what}: ${e.name ?? 'Error'}${status}${e.message && e.message !== e.name ? `: ${e.message}` : ''}`);
}

export class S3Store implements BackupStore {
  private readonly client: S3Client;

  constructor(private readonly where: S3Location) {
    this.client = new S3Client({
      endpoint: where.endpoint, region: where.region, forcePathStyle: where.forcePathStyle,
      credentials: { accessKeyId: where.accessKeyId, secretAccessKey: where.secretAccessKey },
      maxAttempts: 3,
    });
  }

  describe(key: string): string {
    return `s3://${this.where.bucket}/${key}`;
  }

  async put(key: string, body: Readable | Buffer): Promise<number> {
    if (Buffer.isBuffer(body)) {
      await this.client.send(new PutObjectCommand({ Bucket: this.where.bucket, Key: key, Body: body, ContentLength: body.length }))
        .catch((err: unknown) => { throw s3Error(`put ${this.describe(key)}`, err); });
      return body.length;
    }
    const dir = await mkdtemp(path.join(os.tmpdir(), 'webstack-s3-'));
    try {
      const staged = path.join(dir, 'object');
      await pipeline(body, createWriteStream(staged));
      const size = (await stat(staged)).size;
      await this.client.send(new PutObjectCommand({ Bucket: this.where.bucket, Key: key, Body: createReadStream(staged), ContentLength: size }))
        .catch((err: unknown) => { throw s3Error(`put ${this.describe(key)}`, err); });
      return size;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async get(key: string): Promise<Readable> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.where.bucket, Key: key }))
      .catch((err: unknown) => { throw s3Error(`get ${this.describe(key)}`, err); });
    return out.Body as Readable;
  }

  async head(key: string): Promise<StoredObject | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.where.bucket, Key: key }));
      return { key, size: out.ContentLength ?? 0 };
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
      throw s3Error(`head ${this.describe(key)}`, err);
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.where.bucket, Prefix: prefix, ContinuationToken: token }))
        .catch((err: unknown) => { throw s3Error(`list ${this.describe(prefix)}`, err); });
      for (const o of page.Contents ?? []) if (o.Key) out.push({ key: o.Key, size: o.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000).map((Key) => ({ Key }));
      await this.client.send(new DeleteObjectsCommand({ Bucket: this.where.bucket, Delete: { Objects: batch, Quiet: true } }))
        .catch((err: unknown) => { throw s3Error(`delete under ${this.describe('')}`, err); });
    }
  }
}
