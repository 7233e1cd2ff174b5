import { describe, expect, it } from '@jest/globals';
import { decodeProtobuf } from '../../../src/sandbox/apiserver/protobuf.js';

// A minimal protobuf writer, enough to build envelopes the way Go clients do.
const varint = (n: number): Buffer => {
  const out: number[] = [];
  let v = n;
  do {
    out.push((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
    v = Math.floor(v / 128);
  } while (v > 0);
  return Buffer.from(out);
};
const bytesField = (no: number, value: Buffer | string): Buffer => {
  const b = Buffer.isBuffer(value) ? value : Buffer.from(value);
  return Buffer.concat([varint((no << 3) | 2), varint(b.length), b]);
};
const intField = (no: number, value: number): Buffer => Buffer.concat([varint(no << 3), varint(value)]);
const envelope = (apiVersion: string, kind: string, raw: Buffer): Buffer =>
  Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), bytesField(1, Buffer.concat([bytesField(1, apiVersion), bytesField(2, kind)])), bytesField(2, raw)]);

describe('protobuf request bodies', () => {
  it('decodes a Secret with labels, owner references and binary data', () => {
    const meta = Buffer.concat([
      bytesField(1, 'release'),
      bytesField(3, 'ns'),
      bytesField(11, Buffer.concat([bytesField(1, 'owner'), bytesField(2, 'helm')])),
      bytesField(13, Buffer.concat([bytesField(1, 'ConfigMap'), bytesField(3, 'o'), bytesField(4, 'uid-1'), bytesField(5, 'v1'), intField(7, 1)])),
      bytesField(14, 'a/b'),
    ]);
    const secret = Buffer.concat([bytesField(1, meta), bytesField(2, Buffer.concat([bytesField(1, 'release'), bytesField(2, Buffer.from([0, 1, 2]))])), bytesField(3, 'helm.sh/release.v1')]);
    expect(decodeProtobuf(envelope('v1', 'Secret', secret))).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'release',
        namespace: 'ns',
        labels: { owner: 'helm' },
        ownerReferences: [{ kind: 'ConfigMap', name: 'o', uid: 'uid-1', apiVersion: 'v1', blockOwnerDeletion: true }],
        finalizers: ['a/b'],
      },
      data: { release: Buffer.from([0, 1, 2]).toString('base64') },
      type: 'helm.sh/release.v1',
    });
  });

  it('drops the zero values Go sends for unset fields, keeps them for pointer fields', () => {
    const spec = Buffer.concat([intField(1, 0), bytesField(4, bytesField(1, ''))]);
    const meta = Buffer.concat([bytesField(1, 'web'), bytesField(2, ''), intField(7, 0), bytesField(8, Buffer.alloc(0))]);
    expect(decodeProtobuf(envelope('apps/v1', 'Deployment', Buffer.concat([bytesField(1, meta), bytesField(2, spec)])))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 0, strategy: {} },
    });
  });

  it('decodes DeleteOptions', () => {
    const opts = Buffer.concat([intField(1, 0), bytesField(2, bytesField(1, 'uid-9')), bytesField(4, 'Foreground'), intField(3, 0)]);
    expect(decodeProtobuf(envelope('meta.k8s.io/v1', 'DeleteOptions', opts))).toEqual({ apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: 'uid-9' }, propagationPolicy: 'Foreground', orphanDependents: false });
  });

  it('answers 415 for kinds it does not read, and 400 for garbage', () => {
    expect(() => decodeProtobuf(envelope('v1', 'Pod', Buffer.alloc(0)))).toThrow(expect.objectContaining({ code: 415 }));
    expect(() => decodeProtobuf(Buffer.from('{"json":true}'))).toThrow(expect.objectContaining({ code: 400 }));
  });
});
