import { describe, expect, it } from '@jest/globals';
import { validateMetadata } from '../../../src/sandbox/apiserver/names.js';

const fields = (kind: string, metadata: Record<string, unknown>) => validateMetadata({ metadata } as never, kind, '').map((e) => `${e.field}=${e.detail.split(':')[1].trim()}`);

describe('names and labels', () => {
  it.each([
    ['ConfigMap', { name: 'shop-mysql.config' }, []],
    ['ConfigMap', { name: 'Shop' }, ['metadata.name="Shop"']],
    ['ConfigMap', { name: 'a_b' }, ['metadata.name="a_b"']],
    ['Service', { name: 'shop.mysql' }, ['metadata.name="shop.mysql"']],
    ['Namespace', { name: 'x'.repeat(64) }, [`metadata.name="${'x'.repeat(64)}"`]],
    ['ConfigMap', { name: 'ok', labels: { 'webstack.dev/name': 'shop', role: '' } }, []],
    ['ConfigMap', { name: 'ok', labels: { 'bad key!': 'v' } }, ['metadata.labels="bad key!"']],
    ['ConfigMap', { name: 'ok', labels: { k: 'has space' } }, ['metadata.labels="has space"']],
    ['ConfigMap', { name: 'ok', annotations: { 'Bad/Prefix/x': 'v' } }, ['metadata.annotations="Bad/Prefix/x"']],
  ])('%s %j', (kind, metadata, expected) => {
    expect(fields(kind, metadata)).toEqual(expected);
  });
});
