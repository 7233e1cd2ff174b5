import { describe, expect, it } from '@jest/globals';
import { OwnWrites } from '../../src/controller/own-writes.js';

const noWake = () => {
  throw new Error('woken');
};
const svc = (rv: string, name = 'shop-haproxy') => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'ns', name, resourceVersion: rv } });

describe('OwnWrites', () => {
  it('the event of our own latest write is an echo, once', () => {
    const own = new OwnWrites();
    own.written(svc('7'), '6');
    expect(own.isEcho(svc('7'), noWake)).toBe(true);
    expect(own.isEcho(svc('7'), noWake)).toBe(false);
  });
  it('a version someone else wrote is news, before or after ours', () => {
    const own = new OwnWrites();
    own.written(svc('7'), '6');
    expect(own.isEcho(svc('6'), noWake)).toBe(false);
    expect(own.isEcho(svc('9'), noWake)).toBe(false);
    expect(own.isEcho(svc('7', 'other'), noWake)).toBe(false);
    expect(own.isEcho({ ...svc('7'), kind: 'ConfigMap' }, noWake)).toBe(false);
  });
  it('a write the cache already holds keeps nothing: its echo came first, or never comes', () => {
    const own = new OwnWrites();
    own.written(svc('7'), '6');
    own.written(svc('8'), '8');
    expect(own.isEcho(svc('7'), noWake)).toBe(false);
    expect(own.isEcho(svc('8'), noWake)).toBe(false);
  });
  it('a forgotten (deleted) object has no echo left', () => {
    const own = new OwnWrites();
    own.written(svc('7'), '6');
    own.forget(svc('8'));
    expect(own.isEcho(svc('7'), noWake)).toBe(false);
  });

  describe('an event while our write is on its way (its echo often comes before the response)', () => {
    const sending = () => {
      const own = new OwnWrites();
      const woken: string[] = [];
      own.send(svc(''));
      return { own, woken, wake: (why: string) => () => woken.push(why) };
    };
    it('is held, and is nothing once the response shows it was our echo', () => {
      const { own, woken, wake } = sending();
      expect(own.isEcho(svc('7'), wake('7'))).toBe(true);
      own.written(svc('7'), '7');
      expect(woken).toEqual([]);
      expect(own.isEcho(svc('7'), noWake)).toBe(false);
    });
    it('wakes the stack once the response shows it was someone else\'s, even beside our echo', () => {
      const { own, woken, wake } = sending();
      own.isEcho(svc('6'), wake('6'));
      own.isEcho(svc('7'), wake('7'));
      own.written(svc('7'), '7');
      expect(woken).toEqual(['6']);
    });
    it('wakes the stack when the write failed or had nothing to write', () => {
      const { own, woken, wake } = sending();
      own.isEcho(svc('6'), wake('6'));
      own.notWritten(svc(''));
      expect(woken).toEqual(['6']);
      expect(own.isEcho(svc('8'), noWake)).toBe(false);
    });
    it('an echo not come by the response is recognized later, as always', () => {
      const { own, woken } = sending();
      own.written(svc('7'), '6');
      expect(own.isEcho(svc('7'), noWake)).toBe(true);
      expect(woken).toEqual([]);
    });
  });
});
