import { describe, expect, it } from '@jest/globals';
import { fieldSelector, labelSelector, parseLabelSelector } from '../../../src/sandbox/apiserver/selectors.js';
import type { KubeObject } from '../../../src/sandbox/apiserver/types.js';

const pod = (labels: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'p', namespace: 'ns', labels },
  ...extra,
});

describe('label selectors', () => {
  it.each([
    ['app=web', { app: 'web' }, true],
    ['app==web', { app: 'web' }, true],
    ['app=web', { app: 'db' }, false],
    ['app!=web', { app: 'db' }, true],
    ['app!=web', {}, true],
    ['app', { app: '' }, true],
    ['app', {}, false],
    ['!app', {}, true],
    ['!app', { app: 'x' }, false],
    ['tier in (a, b)', { tier: 'b' }, true],
    ['tier in (a,b)', { tier: 'c' }, false],
    ['tier notin (a,b)', { tier: 'c' }, true],
    ['tier notin (a,b)', {}, true],
    ['app=web,tier in (a,b),!canary', { app: 'web', tier: 'a' }, true],
    ['app=web,tier in (a,b),!canary', { app: 'web', tier: 'a', canary: 'y' }, false],
    ['webstack.dev/name=shop', { 'webstack.dev/name': 'shop' }, true],
    ['', { any: 'thing' }, true],
  ])('%s on %j is %s', (sel, labels, expected) => {
    expect(labelSelector(sel)(pod(labels))).toBe(expected);
  });

  it('rejects a malformed selector with 400 naming it', () => {
    expect(() => parseLabelSelector('app=(x')).toThrow(/invalid label selector "app=\(x"/);
  });
});

describe('field selectors', () => {
  const p = pod({}, { spec: { nodeName: 'n1' }, status: { phase: 'Running' } });
  it.each([
    ['metadata.name=p', true],
    ['metadata.name=q', false],
    ['metadata.namespace==ns', true],
    ['metadata.name!=q', true],
    ['status.phase=Running,spec.nodeName=n1', true],
    ['spec.nodeName=', false],
    ['spec.missing=', true],
  ])('%s is %s', (sel, expected) => {
    expect(fieldSelector(sel)(p)).toBe(expected);
  });
});
