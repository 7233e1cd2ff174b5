import { describe, expect, it } from '@jest/globals';
import { labelSelector } from '../../../src/sandbox/apiserver/selectors.js';
import type { StoreEvent } from '../../../src/sandbox/apiserver/store.js';
import { watchEventFor } from '../../../src/sandbox/apiserver/watch-filter.js';

const o = (app?: string, namespace = 'ns') => ({ metadata: { name: 'x', namespace, ...(app ? { labels: { app } } : {}) } });
const scope = { resource: '/pods', namespace: 'ns', matches: labelSelector('app=web') };
const ev = (type: StoreEvent['type'], object: ReturnType<typeof o>, previous?: ReturnType<typeof o>, resource = '/pods'): StoreEvent => ({ type, object, previous, resource, rv: 5 });

describe('selector-aware watch events', () => {
  it.each<[string, StoreEvent, string | undefined]>([
    ['a matching add', ev('ADDED', o('web')), 'ADDED'],
    ['a non-matching add', ev('ADDED', o('db')), undefined],
    ['a change that keeps matching', ev('MODIFIED', o('web'), o('web')), 'MODIFIED'],
    ['a change that starts matching', ev('MODIFIED', o('web'), o('db')), 'ADDED'],
    ['a change that stops matching', ev('MODIFIED', o('db'), o('web')), 'DELETED'],
    ['a change that never matches', ev('MODIFIED', o('db'), o(undefined)), undefined],
    ['a matching delete', ev('DELETED', o('web'), o('web')), 'DELETED'],
    ['another namespace', ev('ADDED', o('web', 'other')), undefined],
    ['another resource', ev('ADDED', o('web'), undefined, '/services'), undefined],
  ])('%s -> %s', (_name, event, expected) => {
    expect(watchEventFor(scope, event)?.type).toBe(expected);
  });
});
