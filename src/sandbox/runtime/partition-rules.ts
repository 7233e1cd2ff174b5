/**
 * Network partitions between local processes, as netfilter rules. Each endpoint (a pod, the
 * operator) is a cgroup v2 cgroup, and optionally an address others reach it at. Every
 * connection an endpoint opens is marked with its number (CONNMARK), so a cut drops both what
 * one side sends to the other's address and what it sends back on connections the other side
 * opened (whose peer address is only 127.0.0.1). Everything sits in one mangle OUTPUT chain per
 * run: loopback traffic is all locally generated, and mangle comes before the NAT that would
 * rewrite a reply's address. Pure: endpoints and cuts in, iptables-restore input out.
 */

export interface PartitionEndpoint {
  /** Pod `namespace/name`, or `operator`. */
  name: string;
  /** Path relative to the cgroup v2 root. */
  cgroup: string;
  /** 1..65535: the connection mark its connections carry (in the high 16 bits). */
  mark: number;
  /** Where others connect to it; absent for an endpoint nobody connects to (the operator). */
  address?: string;
}

/** Two endpoints that cannot reach each other, in either direction. */
export type Cut = readonly [string, string];

const MARK_MASK = 0xffff0000;

function markOf(e: PartitionEndpoint): string {
  if (!Number.isInteger(e.mark) || e.mark < 1 || e.mark > 0xffff) throw new Error(`partition endpoint ${e.name}: mark ${e.mark} is not in 1..65535`);
  return `0x${(e.mark * 0x10000).toString(16)}/0x${MARK_MASK.toString(16)}`;
}

/** The rules that keep `from` from sending anything to `to`. */
function oneWay(chain: string, from: PartitionEndpoint, to: PartitionEndpoint): string[] {
  const sender = `-A ${chain} -m cgroup --path ${from.cgroup}`;
  const rules = [`${sender} -m connmark --mark ${markOf(to)} -j DROP`];
  if (to.address) rules.unshift(`${sender} -d ${to.address}/32 -j DROP`);
  return rules;
}

/** A cut as given, the pair in a stable order (for comparing and removing). */
export function cutKey(a: string, b: string): string {
  return [a, b].sort().join(' | ');
}

/**
 * The whole chain, for `iptables-restore --noflush`: declaring the chain empties it, then the
 * marks (new connections only) and the drops of every cut, in one atomic commit.
 */
export function renderPartitionChain(chain: string, endpoints: readonly PartitionEndpoint[], cuts: readonly Cut[]): string {
  const byName = new Map(endpoints.map((e) => [e.name, e]));
  const lines = ['*mangle', `:${chain} - [0:0]`];
  for (const e of endpoints) {
    lines.push(`-A ${chain} -m cgroup --path ${e.cgroup} -m conntrack --ctstate NEW -j CONNMARK --set-xmark ${markOf(e)}`);
  }
  for (const [a, b] of cuts) {
    const ea = byName.get(a);
    const eb = byName.get(b);
    if (!ea || !eb) throw new Error(`partition: ${ea ? b : a} is not a known endpoint`);
    lines.push(...oneWay(chain, ea, eb), ...oneWay(chain, eb, ea));
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** The cuts after `partition NAME [--from OTHER...]`: from the given endpoints, or from every other one. */
export function cutsAfterPartition(current: readonly Cut[], endpoints: readonly string[], name: string, from: readonly string[]): Cut[] {
  if (!endpoints.includes(name)) throw new Error(`partition: ${name} is not known here (known: ${endpoints.join(', ') || 'none'})`);
  for (const f of from) {
    if (!endpoints.includes(f)) throw new Error(`partition --from: ${f} is not known here (known: ${endpoints.join(', ')})`);
    if (f === name) throw new Error(`partition --from: ${name} cannot be cut off from itself`);
  }
  const others = from.length ? from : endpoints.filter((e) => e !== name);
  const keys = new Set(current.map(([a, b]) => cutKey(a, b)));
  const out = [...current];
  for (const o of others) {
    if (keys.has(cutKey(name, o))) continue;
    keys.add(cutKey(name, o));
    out.push([name, o]);
  }
  return out;
}

/** The cuts after `heal NAME`: every cut that involves it goes. */
export function cutsAfterHeal(current: readonly Cut[], name: string): Cut[] {
  return current.filter(([a, b]) => a !== name && b !== name);
}
