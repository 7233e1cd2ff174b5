/**
 * A real S3 server for the tests: SeaweedFS (`weed server` with its S3 gateway), built by
 * scripts/seaweedfs-build.sh into .cache/seaweedfs, on loopback ports, with one identity whose keys
 * the test hands the operator through a Secret. close() stops it and removes its data.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { eventually } from './eventually.js';
import { freePort } from '../../src/sandbox/control-plane/index.js';

export interface SeaweedS3 {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  createBucket(name: string): Promise<void>;
  /** Output of the server, for failure messages. */
  log(): string;
  close(): Promise<void>;
}


/** The cached binary, built on first use (a warm Go cache takes seconds). */
export function weedBinary(): string {
  const out = execFileSync('bash', ['scripts/seaweedfs-build.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').pop()!;
}

export async function startSeaweedS3(): Promise<SeaweedS3> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webstack-seaweedfs-'));
  const accessKeyId = 'webstack-test-access';
  const secretAccessKey = `s3-secret-${process.pid}-${Date.now()}`;
  const config = path.join(dir, 's3.json');
  writeFileSync(config, JSON.stringify({
    identities: [{ name: 'operator', credentials: [{ accessKey: accessKeyId, secretKey: secretAccessKey }], actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'] }],
  }));
  const ports = await Promise.all(Array.from({ length: 8 }, freePort));
  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3, s3Grpc] = ports;
  const args = [
    'server', `-dir=${dir}`, '-ip=127.0.0.1', '-ip.bind=127.0.0.1',
    `-master.port=${master}`, `-master.port.grpc=${masterGrpc}`, '-master.volumeSizeLimitMB=64',
    `-volume.port=${volume}`, `-volume.port.grpc=${volumeGrpc}`, '-volume.max=20',
    '-filer', `-filer.port=${filer}`, `-filer.port.grpc=${filerGrpc}`,
    '-s3', `-s3.port=${s3}`, `-s3.port.grpc=${s3Grpc}`, `-s3.config=${config}`,
  ];
  const child: ChildProcess = spawn(weedBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let output = '';
  const keep = (d: Buffer) => { output = (output + d.toString('utf8')).slice(-20_000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const endpoint = `http://127.0.0.1:${s3}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
  const close = async () => {
    client.destroy();
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const createBucket = async (name: string) => {
    await eventually(`SeaweedFS to create bucket ${name}`, async () => {
      if (child.exitCode !== null) throw new Error(`weed exited ${child.exitCode}:\n${output}`);
      return client.send(new CreateBucketCommand({ Bucket: name })).then(() => true, () => false);
    }, 60_000, 250);
  };
  return { endpoint, accessKeyId, secretAccessKey, createBucket, log: () => output, close };
}
