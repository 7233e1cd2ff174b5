/**
 * GTID sets for both engines, pure.
 *
 * MySQL: `uuid[:tag]:a-b:c,uuid2:1-5` — exact sets of transaction numbers per source.
 * MariaDB: `domain-server-seq` triples. A position (`gtid_binlog_pos`, `Gtid_IO_Pos`) holds the
 * last GTID per domain; a binlog state (`gtid_binlog_state`) holds the last GTID per
 * (domain, server_id). Sequence numbers grow monotonically inside a domain, so "B is contained
 * in A" means: for every (domain, server) B has, A has it too with a sequence at least as high.
 * Comparing per (domain, server) rather than per domain is what catches divergence: an old
 * primary holding `0-100-46` is not contained in a new primary at `0-100-45,0-101-50`.
 */

export type GtidFlavor = 'mysql' | 'mariadb';

export interface GtidSet {
  readonly flavor: GtidFlavor;
  isEmpty(): boolean;
  /** True when every transaction of `other` is in this set. */
  contains(other: GtidSet): boolean;
  union(other: GtidSet): GtidSet;
  /** The transactions of this set that `other` lacks. */
  subtract(other: GtidSet): GtidSet;
  /** Only the transactions originated by `source` (a server_uuid on MySQL, a server_id on MariaDB). */
  fromSource(source: string): GtidSet;
  toString(): string;
}

type Interval = [number, number];

function mergeIntervals(list: Interval[]): Interval[] {
  const sorted = [...list].sort((a, b) => a[0] - b[0]);
  const out: Interval[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + 1) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

function subtractIntervals(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [s0, e0] of a) {
    let pieces: Interval[] = [[s0, e0]];
    for (const [bs, be] of b) {
      const next: Interval[] = [];
      for (const [s, e] of pieces) {
        if (be < s || bs > e) { next.push([s, e]); continue; }
        if (bs > s) next.push([s, bs - 1]);
        if (be < e) next.push([be + 1, e]);
      }
      pieces = next;
    }
    out.push(...pieces);
  }
  return out;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/;

/** MySQL GTID set: source (uuid, or uuid:tag) -> sorted, merged intervals. */
export class MysqlGtidSet implements GtidSet {
  readonly flavor = 'mysql' as const;
  private constructor(private readonly bySource: ReadonlyMap<string, Interval[]>) {}

  static parse(text: string): MysqlGtidSet {
    const map = new Map<string, Interval[]>();
    const body = text.replace(/\s+/g, '');
    if (!body) return new MysqlGtidSet(map);
    for (const part of body.split(',')) {
      if (!part) continue;
      const fields = part.split(':');
      const uuid = fields.shift()?.toLowerCase() ?? '';
      if (!UUID.test(uuid)) throw new Error(`invalid GTID set: bad source uuid in '${part}'`);
      let source = uuid;
      const intervals: Interval[] = [];
      for (const f of fields) {
        const m = /^(\d+)(?:-(\d+))?$/.exec(f);
        if (m) {
          const s = Number(m[1]);
          const e = m[2] === undefined ? s : Number(m[2]);
          if (s < 1 || e < s) throw new Error(`invalid GTID set: bad interval '${f}' in '${part}'`);
          intervals.push([s, e]);
        } else if (/^[a-z_][a-z0-9_]{0,31}$/i.test(f)) {
          // A tag (MySQL 8.3+) starts a new source within the same uuid.
          if (intervals.length) map.set(source, mergeIntervals([...(map.get(source) ?? []), ...intervals.splice(0)]));
          source = `${uuid}:${f.toLowerCase()}`;
        } else {
          throw new Error(`invalid GTID set: bad element '${f}' in '${part}'`);
        }
      }
      if (intervals.length) map.set(source, mergeIntervals([...(map.get(source) ?? []), ...intervals]));
    }
    return new MysqlGtidSet(map);
  }

  private static cast(other: GtidSet): MysqlGtidSet {
    if (!(other instanceof MysqlGtidSet)) throw new Error('cannot compare a MySQL GTID set with a MariaDB one');
    return other;
  }

  isEmpty(): boolean {
    return this.bySource.size === 0;
  }

  contains(other: GtidSet): boolean {
    return MysqlGtidSet.cast(other).subtract(this).isEmpty();
  }

  union(other: GtidSet): GtidSet {
    const o = MysqlGtidSet.cast(other);
    const map = new Map<string, Interval[]>();
    for (const [k, v] of this.bySource) map.set(k, v.map((i) => [...i] as Interval));
    for (const [k, v] of o.bySource) map.set(k, mergeIntervals([...(map.get(k) ?? []), ...v.map((i) => [...i] as Interval)]));
    return new MysqlGtidSet(map);
  }

  subtract(other: GtidSet): GtidSet {
    const o = MysqlGtidSet.cast(other);
    const map = new Map<string, Interval[]>();
    for (const [k, v] of this.bySource) {
      const rest = subtractIntervals(v, o.bySource.get(k) ?? []);
      if (rest.length) map.set(k, rest);
    }
    return new MysqlGtidSet(map);
  }

  fromSource(source: string): GtidSet {
    const uuid = source.toLowerCase();
    return new MysqlGtidSet(new Map([...this.bySource].filter(([k]) => k === uuid || k.startsWith(`${uuid}:`))));
  }

  toString(): string {
    return [...this.bySource.keys()].sort()
      .map((k) => `${k}:${this.bySource.get(k)!.map(([s, e]) => (s === e ? `${s}` : `${s}-${e}`)).join(':')}`)
      .join(',');
  }
}

/** MariaDB GTID state: "domain-server" -> highest sequence number seen from that server in that domain. */
export class MariadbGtidSet implements GtidSet {
  readonly flavor = 'mariadb' as const;
  private constructor(private readonly last: ReadonlyMap<string, number>) {}

  static parse(text: string): MariadbGtidSet {
    const map = new Map<string, number>();
    for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
      const m = /^(\d+)-(\d+)-(\d+)$/.exec(part);
      if (!m) throw new Error(`invalid MariaDB GTID '${part}': expected domain-server-seq`);
      const key = `${Number(m[1])}-${Number(m[2])}`;
      map.set(key, Math.max(map.get(key) ?? 0, Number(m[3])));
    }
    return new MariadbGtidSet(map);
  }

  private static cast(other: GtidSet): MariadbGtidSet {
    if (!(other instanceof MariadbGtidSet)) throw new Error('cannot compare a MariaDB GTID set with a MySQL one');
    return other;
  }

  isEmpty(): boolean {
    return this.last.size === 0;
  }

  contains(other: GtidSet): boolean {
    for (const [k, seq] of MariadbGtidSet.cast(other).last) if ((this.last.get(k) ?? 0) < seq) return false;
    return true;
  }

  union(other: GtidSet): GtidSet {
    const map = new Map(this.last);
    for (const [k, seq] of MariadbGtidSet.cast(other).last) map.set(k, Math.max(map.get(k) ?? 0, seq));
    return new MariadbGtidSet(map);
  }

  subtract(other: GtidSet): GtidSet {
    const o = MariadbGtidSet.cast(other);
    return new MariadbGtidSet(new Map([...this.last].filter(([k, seq]) => (o.last.get(k) ?? 0) < seq)));
  }

  fromSource(source: string): GtidSet {
    return new MariadbGtidSet(new Map([...this.last].filter(([k]) => k.split('-')[1] === String(Number(source)))));
  }

  toString(): string {
    const key = (k: string) => k.split('-').map(Number);
    return [...this.last.keys()]
      .sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1])
      .map((k) => `${k}-${this.last.get(k)}`)
      .join(',');
  }
}

export function parseGtidSet(flavor: GtidFlavor, text: string): GtidSet {
  return flavor === 'mysql' ? MysqlGtidSet.parse(text) : MariadbGtidSet.parse(text);
}
