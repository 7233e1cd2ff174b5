/** Which instances a tick probes: at rest the primary every tick, a replica once per failure threshold. */
import { describe, expect, test } from '@jest/globals';
import { reusableObservations, type LastProbe } from '../../src/mysql/probe-plan.js';
import type { InstanceObservation } from '../../src/mysql/observation.js';
import type { InstanceAddress } from '../../src/mysql/ports.js';
import { name, primary, replica } from './fixtures.js';

const addresses: InstanceAddress[] = [0, 1, 2].map((i) => ({ name: name(i), host: '127.0.0.1', port: 3300 + i, tls: true }));
const answered = (i: number): InstanceObservation => ({ ...(i === 0 ? primary(0) : replica(i, 0)), tls: true });
const probes = (at: number, edit: (o: InstanceObservation) => InstanceObservation = (o) => o): Map<string, LastProbe> =>
  new Map(addresses.map((a, i) => [a.name, { observation: edit(answered(i)), at }]));
const reused = (opts: { last?: Map<string, LastProbe>; atRest?: boolean; now?: number; primary?: string; to?: InstanceAddress[] } = {}) =>
  [...reusableObservations(opts.to ?? addresses, 'primary' in opts ? opts.primary : name(0), opts.last ?? probes(1000), opts.atRest ?? true, opts.now ?? 1500, 1000).keys()];

describe('reusableObservations', () => {
  test.each([
    ['at rest, replicas probed less than a threshold ago', {}, [name(1), name(2)]],
    ['not at rest', { atRest: false }, []],
    ['no primary recorded', { primary: undefined }, []],
    ['a threshold old', { now: 2000 }, []],
    ['just under a threshold old', { now: 1999 }, [name(1), name(2)]],
    ['a replica whose last probe failed', { last: probes(1000, (o) => (o.name === name(1) ? { ...o, state: undefined, error: { kind: 'timeout', message: 'x' } } : o)) }, [name(2)]],
    ['a replica never probed', { last: new Map([...probes(1000)].filter(([instance]) => instance !== name(2))) }, [name(1)]],
    ['a replica at a new address', { to: addresses.map((a) => (a.name === name(2) ? { ...a, host: '10.0.0.9' } : a)) }, [name(1)]],
    ['a replica now outdated', { to: addresses.map((a) => (a.name === name(1) ? { ...a, outdated: true } : a)) }, [name(2)]],
    ['a replica whose pod is not ready', { to: addresses.map((a) => (a.name === name(1) ? { ...a, ready: false } : a)) }, [name(2)]],
    ['a replica that stopped serving TLS', { to: addresses.map((a) => (a.name === name(2) ? { ...a, tls: false } : a)) }, [name(1)]],
  ] as const)('%s', (_, opts, expected) => {
    expect(reused(opts as Parameters<typeof reused>[0])).toEqual(expected);
  });

  test('the primary is never reused, whatever else holds', () => {
    expect(reused({ primary: name(1) })).toEqual([name(0), name(2)]);
  });
});
