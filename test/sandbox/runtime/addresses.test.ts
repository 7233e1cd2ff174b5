import { describe, expect, it } from '@jest/globals';
import { AddressPool, POD_NETWORK } from '../../../src/sandbox/runtime/addresses.js';

describe('AddressPool', () => {
  it('hands out distinct loopback addresses, stable per key', () => {
    const pool = new AddressPool(POD_NETWORK);
    const a = pool.allocate('default/a');
    const b = pool.allocate('default/b');
    expect(a).toBe('127.10.0.1');
    expect(b).toBe('127.10.0.2');
    expect(pool.allocate('default/a')).toBe(a);
  });

  it('starts where it is told, so two sandboxes on one machine do not collide', () => {
    expect(new AddressPool(POD_NETWORK, 254 * 3 + 4).allocate('x')).toBe('127.10.3.5');
    expect(new AddressPool(POD_NETWORK, 256 * 254 + 1).allocate('x')).toBe('127.10.0.2');
  });

  it('never gives .0 or .255 and wraps into the next third octet', () => {
    const pool = new AddressPool(POD_NETWORK);
    const ips = Array.from({ length: 300 }, (_, i) => pool.allocate(`k${i}`));
    expect(new Set(ips).size).toBe(300);
    expect(ips.some((ip) => /\.(0|255)$/.test(ip))).toBe(false);
    expect(ips[254]).toBe('127.10.1.1');
  });

  it('reuses a released address only after the others, and refuses to reserve one in use', () => {
    const pool = new AddressPool(POD_NETWORK);
    const a = pool.allocate('a');
    pool.release('a');
    expect(pool.allocate('b')).not.toBe(a);
    expect(pool.reserve('c', '127.10.0.2')).toBe(false);
    expect(pool.reserve('c', '127.10.9.9')).toBe(true);
    expect(pool.get('c')).toBe('127.10.9.9');
    expect(pool.reserve('d', '127.99.0.1')).toBe(false);
  });
});
