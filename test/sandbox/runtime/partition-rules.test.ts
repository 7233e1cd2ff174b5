/** The partition rules as text: marks for every endpoint, both directions of every cut, and the cut bookkeeping. */
import { describe, expect, test } from '@jest/globals';
import { cutsAfterHeal, cutsAfterPartition, renderPartitionChain, type PartitionEndpoint } from '../../../src/sandbox/runtime/partition-rules.js';
import { cgroup2Root, staleChains } from '../../../src/sandbox/runtime/partitions.js';

const pod = (name: string, mark: number, address?: string): PartitionEndpoint => ({ name, cgroup: `run/${name.replace('/', '.')}`, mark, address });
const p0 = pod('default/shop-mysql-0', 1, '127.10.0.1');
const p1 = pod('default/shop-mysql-1', 2, '127.10.0.2');
const op = pod('operator', 3);

describe('renderPartitionChain', () => {
  test('no cuts: the chain only marks new connections with their endpoint', () => {
    expect(renderPartitionChain('WS', [p0, op], [])).toBe([
      '*mangle', ':WS - [0:0]',
      '-A WS -m cgroup --path run/default.shop-mysql-0 -m conntrack --ctstate NEW -j CONNMARK --set-xmark 0x10000/0xffff0000',
      '-A WS -m cgroup --path run/operator -m conntrack --ctstate NEW -j CONNMARK --set-xmark 0x30000/0xffff0000',
      'COMMIT', ''].join('\n'));
  });

  test('a cut between two pods drops, each way, what goes to the other\'s address and what answers the other\'s connections', () => {
    const rules = renderPartitionChain('WS', [p0, p1], [[p0.name, p1.name]]).split('\n').filter((l) => l.endsWith('DROP'));
    expect(rules).toEqual([
      '-A WS -m cgroup --path run/default.shop-mysql-0 -d 127.10.0.2/32 -j DROP',
      '-A WS -m cgroup --path run/default.shop-mysql-0 -m connmark --mark 0x20000/0xffff0000 -j DROP',
      '-A WS -m cgroup --path run/default.shop-mysql-1 -d 127.10.0.1/32 -j DROP',
      '-A WS -m cgroup --path run/default.shop-mysql-1 -m connmark --mark 0x10000/0xffff0000 -j DROP',
    ]);
  });

  test('the operator, which nobody connects to: only its own connections and the answers to them are dropped', () => {
    const rules = renderPartitionChain('WS', [p0, op], [[p0.name, 'operator']]).split('\n').filter((l) => l.endsWith('DROP'));
    expect(rules).toEqual([
      '-A WS -m cgroup --path run/default.shop-mysql-0 -m connmark --mark 0x30000/0xffff0000 -j DROP',
      '-A WS -m cgroup --path run/operator -d 127.10.0.1/32 -j DROP',
      '-A WS -m cgroup --path run/operator -m connmark --mark 0x10000/0xffff0000 -j DROP',
    ]);
  });

  test('a cut naming an unknown endpoint, or a mark out of range, is refused', () => {
    expect(() => renderPartitionChain('WS', [p0], [[p0.name, 'ghost']])).toThrow('partition: ghost is not a known endpoint');
    expect(() => renderPartitionChain('WS', [pod('x', 0x10000)], [])).toThrow('partition endpoint x: mark 65536 is not in 1..65535');
  });
});

describe('cuts', () => {
  const all = [p0.name, p1.name, 'operator'];

  test('partition without --from cuts it off from every other endpoint; repeating it adds nothing', () => {
    const cuts = cutsAfterPartition([], all, p0.name, []);
    expect(cuts).toEqual([[p0.name, p1.name], [p0.name, 'operator']]);
    expect(cutsAfterPartition(cuts, all, p0.name, ['operator'])).toEqual(cuts);
  });

  test('--from cuts only those; the same pair named the other way round is the same cut', () => {
    const cuts = cutsAfterPartition([], all, p0.name, ['operator']);
    expect(cuts).toEqual([[p0.name, 'operator']]);
    expect(cutsAfterPartition(cuts, all, 'operator', [p0.name])).toEqual(cuts);
  });

  test('heal removes every cut that involves the endpoint and no other', () => {
    const cuts = cutsAfterPartition(cutsAfterPartition([], all, p0.name, ['operator']), all, p1.name, ['operator']);
    expect(cutsAfterHeal(cuts, p0.name)).toEqual([[p1.name, 'operator']]);
  });

  test('unknown names and a cut from itself are refused, naming the known endpoints', () => {
    expect(() => cutsAfterPartition([], all, 'default/web-0', [])).toThrow(`partition: default/web-0 is not known here (known: ${all.join(', ')})`);
    expect(() => cutsAfterPartition([], all, p0.name, ['nope'])).toThrow('partition --from: nope is not known here');
    expect(() => cutsAfterPartition([], all, p0.name, [p0.name])).toThrow('cannot be cut off from itself');
  });
});

test('cgroup2Root finds the cgroup v2 mount, pure or hybrid', () => {
  expect(cgroup2Root('cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n')).toBe('/sys/fs/cgroup');
  expect(cgroup2Root('cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n')).toBe('/sys/fs/cgroup/unified');
  expect(cgroup2Root('proc /proc proc rw 0 0\n')).toBeUndefined();
});

test('staleChains names the chains of runs whose owner is gone, and only ours', () => {
  const listing = ['-P OUTPUT ACCEPT', '-N WEBSTACK-41-a1b2c3', '-N WEBSTACK-42-d4e5f6', '-N KUBE-MARK', '-A OUTPUT -j WEBSTACK-41-a1b2c3'].join('\n');
  expect(staleChains(listing, (pid) => pid === 42)).toEqual(['WEBSTACK-41-a1b2c3']);
});
