import { describe, expect, it } from '@jest/globals';
import { OwnWrites } from '../../src/controller/own-writes.js';

const svc = (rv: string, name = 'shop-haproxy') => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'ns', name, resourceVersion: rv } });

describe('OwnWrites', () => {
  it('the event of our own latest write is an echo, once', () => {
    const own = new OwnWrites();
    own.written(svc('7'), '6');
    expect(own.isEcho(svc('7'))).toBe(true);
    expect(own.isEcho(svc('7'))).toBe(false);
  });
  it('a version someone else wrote is news, before or after ours', () => {
    const own = new OwnWrites();
    own.written(svc('7'), '6');
    expect(own.isEcho(svc('6'))).toBe(false);
    expect(own.isEcho(svc('9'))).toBe(false);
    expect(own.isEcho(svc('7', 'other'))).toBe(false);
    expect(own.isEcho({ ...svc('7'), kind: 'ConfigMap' })).toBe(false);
  });
  it('a write the cache already holds keeps nothing: its echo came first, or never comes', () => {
    const own = new OwnWrites();
    own.written(svc('7'), '6');
    own.written(svc('8'), '8');
    expect(own.isEcho(svc('7'))).toBe(false);
    expect(own.isEcho(svc('8'))).toBe(false);
  });
  it('a forgotten (deleted) object has no echo left', () => {
    const own = new OwnWrites();
    own.written(svc('7'), '6');
    own.forget(svc('8'));
    expect(own.isEcho(svc('7'))).toBe(false);
  });
});
