import { describe, expect, it } from '@jest/globals';
import { containerLogFile, lastLines, parseLogRequest } from '../../../src/sandbox/runtime/container-logs.js';

const parse = (p: string) => parseLogRequest(new URL(p, 'https://kubelet'));

describe('parseLogRequest', () => {
  it('reads the pod, the container and the options kubectl logs sends', () => {
    expect(parse('/containerLogs/shop/web-1/web?follow=true&tailLines=10&limitBytes=500&timestamps=false')).toEqual({
      namespace: 'shop', pod: 'web-1', container: 'web', follow: true, tailLines: 10, limitBytes: 500,
    });
    expect(parse('/containerLogs/shop/web-1/web')).toEqual({ namespace: 'shop', pod: 'web-1', container: 'web', follow: false });
  });
  it.each([
    ['/pods', 404],
    ['/containerLogs/shop/web-1/web?previous=true', 400],
    ['/containerLogs/shop/web-1/web?timestamps=true', 400],
    ['/containerLogs/shop/web-1/web?sinceSeconds=5', 400],
    ['/containerLogs/shop/web-1/web?tailLines=-1', 400],
    ['/containerLogs/shop/web-1/web?limitBytes=x', 400],
    ['/containerLogs/shop/..%2F..%2Fetc/web', 400],
  ])('%s -> %i', (p, status) => {
    expect(parse(p)).toMatchObject({ status });
  });
});

describe('lastLines', () => {
  it.each<[string, number | undefined, string]>([
    ['a\nb\nc\n', 2, 'b\nc\n'],
    ['a\nb\nc', 2, 'b\nc'],
    ['a\nb\n', 5, 'a\nb\n'],
    ['a\nb\n', 0, ''],
    ['', 3, ''],
    ['a\n', undefined, 'a\n'],
  ])('%j, last %s -> %j', (text, n, expected) => {
    expect(lastLines(text, n)).toBe(expected);
  });
});

describe('containerLogFile', () => {
  it('is one file per namespace, pod and container under the state dir', () => {
    expect(containerLogFile('/state', 'shop', 'web-1', 'web')).toBe('/state/logs/shop_web-1_web.log');
  });
});
