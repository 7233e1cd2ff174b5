/** The S3 store against a real S3 server (SeaweedFS): write, read, list, head, delete; errors name the object, never the keys. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { readAll } from '../../src/backup/store.js';
import { S3Store } from '../../src/backup/s3-store.js';
import { startSeaweedS3, type SeaweedS3 } from '../support/seaweedfs.js';

let s3: SeaweedS3;
let store: S3Store;

beforeAll(async () => {
  s3 = await startSeaweedS3();
  await s3.createBucket('backups');
  store = new S3Store({ endpoint: s3.endpoint, bucket: 'backups', region: 'us-east-1', forcePathStyle: true, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
}, 120_000);

afterAll(async () => {
  await s3?.close();
});

describe('S3Store on SeaweedFS', () => {
  it('stores a stream and a buffer, lists, reads back and deletes them', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    expect(await store.put('ns/shop/backups/b1/dump.sql.gz', Readable.from([big.subarray(0, 1000), big.subarray(1000)]))).toBe(big.length);
    expect(await store.put('ns/shop/backups/b1/manifest.json', Buffer.from('{"ok":true}'))).toBe(11);
    await store.put('ns/other/backups/b9/manifest.json', Buffer.from('{}'));
    expect(await store.list('ns/shop/')).toEqual([
      { key: 'ns/shop/backups/b1/dump.sql.gz', size: big.length },
      { key: 'ns/shop/backups/b1/manifest.json', size: 11 },
    ]);
    expect((await readAll(store, 'ns/shop/backups/b1/dump.sql.gz')).equals(big)).toBe(true);
    expect(await store.head('ns/shop/backups/b1/manifest.json')).toEqual({ key: 'ns/shop/backups/b1/manifest.json', size: 11 });
    expect(await store.head('ns/shop/backups/nope')).toBeUndefined();
    await store.delete(['ns/shop/backups/b1/dump.sql.gz', 'ns/shop/backups/b1/manifest.json']);
    expect(await store.list('ns/shop/')).toEqual([]);
  }, 60_000);

  it('refuses wrong keys with an error that names the object and holds no secret', async () => {
    const wrong = new S3Store({ endpoint: s3.endpoint, bucket: 'backups', region: 'us-east-1', forcePathStyle: true, accessKeyId: s3.accessKeyId, secretAccessKey: 'not-the-secret-key' });
    const failed = await wrong.put('ns/shop/x', Buffer.from('x')).then(() => undefined, (err: Error) => err);
    expect(failed?.message).toMatch(/^put s3:\/\/backups\/ns\/shop\/x: /);
    expect(failed?.message).not.toContain(s3.secretAccessKey);
    expect(failed?.message).not.toContain('not-the-secret-key');
    await expect(store.get('ns/shop/missing')).rejects.toThrow(/^get s3:\/\/backups\/ns\/shop\/missing: NoSuchKey/);
  }, 30_000);
});
