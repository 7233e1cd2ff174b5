/**
 * The bad-input campaign of issue 12, kept as a test: a seeded generator of bad and hostile
 * WebStacks (creates, and edits of a valid stored stack). For every case, either the operator's
 * validation refuses it naming a field near what was changed, or the stack renders with nothing
 * injected into a config, script or SQL statement, its database still there, and its reserved
 * names never granted to the app.
 */
import { describe, expect, it } from '@jest/globals';
import { resolveSpec } from '../../src/api/defaults.js';
import type { WebStack } from '../../src/api/types.js';
import { validateWebStack } from '../../src/api/validate.js';
import { managerCredentials } from '../../src/controller/database/manager-inputs.js';
import { mariadbDialect } from '../../src/mysql/sql/mariadb-dialect.js';
import { mysqlDialect } from '../../src/mysql/sql/mysql-dialect.js';
import { renderStack } from '../../src/render/stack.js';
import { FIXED_ADMIN_TOKEN, FIXED_CERTIFICATES, FIXED_CREDENTIALS, FIXED_UID } from '../render/fixtures.js';
import { full, minimal } from './cases.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** mulberry32: small, seeded, the same cases on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MARK = 'PWNED';
/** Ways out of a value in haproxy.cfg, my.cnf, sh or SQL, each followed by the marker. */
const ESCAPES = ['\n', '\r\n', ' ', '\t', '"', "'", '`', '$(', '${', ';', '#', '\\', '%[', '*/', '--', '\u0000', '&&'];
const hostileString = (r: () => number, base: string): string => `${base}${ESCAPES[Math.floor(r() * ESCAPES.length)]}${MARK}`;

const RESERVED = ['mysql', 'MySQL', 'information_schema', 'performance_schema', 'sys', 'SYS', 'root', 'Root', 'event_scheduler', 'public'];
const WEIRD: unknown[] = [null, -1, 0, 1.5, 1e9, '', 'x'.repeat(300), [], {}, true, '010', 'yes', Number.NaN];

interface Mutation { path: string; apply: (ws: Json, r: () => number) => void }

const at = (ws: Json, keys: (string | number)[], value: unknown): void => {
  let node = ws;
  for (const k of keys.slice(0, -1)) {
    if (node[k] === undefined || node[k] === null || typeof node[k] !== 'object') node[k] = typeof k === 'number' ? [] : {};
    node = node[k];
  }
  node[keys[keys.length - 1]] = value;
};
const pick = <T>(r: () => number, items: readonly T[]): T => items[Math.floor(r() * items.length)];

/** Field paths a user can write, and how a hostile user fills each. */
const STRING_FIELDS: [string, (string | number)[], string][] = [
  ['metadata.name', ['metadata', 'name'], 'shop'],
  ['spec.apps[0].name', ['spec', 'apps', 0, 'name'], 'web'],
  ['spec.apps[0].image', ['spec', 'apps', 0, 'image'], 'ghcr.io/acme/shop:1.4'],
  ['spec.apps[0].healthPath', ['spec', 'apps', 0, 'healthPath'], '/healthz'],
  ['spec.apps[0].env[0].name', ['spec', 'apps', 0, 'env', 0, 'name'], 'LOG'],
  ['spec.loadBalancer.image', ['spec', 'loadBalancer', 'image'], 'haproxy:3.2'],
  ['spec.loadBalancer.healthCheck.path', ['spec', 'loadBalancer', 'healthCheck', 'path'], '/healthz'],
  ['spec.loadBalancer.tls.secretName', ['spec', 'loadBalancer', 'tls', 'secretName'], 'tls'],
  ['spec.loadBalancer.service.loadBalancerSourceRanges[0]', ['spec', 'loadBalancer', 'service', 'loadBalancerSourceRanges', 0], '10.0.0.0/8'],
  ['spec.loadBalancer.algorithm', ['spec', 'loadBalancer', 'algorithm'], 'roundrobin'],
  ['spec.database.image', ['spec', 'database', 'image'], 'mariadb:11.4'],
  ['spec.database.databaseName', ['spec', 'database', 'databaseName'], 'shop'],
  ['spec.database.user', ['spec', 'database', 'user'], 'shop_app'],
  ['spec.database.primary', ['spec', 'database', 'primary'], 'shop-mysql-0'],
  ['spec.database.storage.size', ['spec', 'database', 'storage', 'size'], '10Gi'],
  ['spec.database.storage.storageClassName', ['spec', 'database', 'storage', 'storageClassName'], 'fast'],
  ['spec.networkPolicy.operatorNamespace', ['spec', 'networkPolicy', 'operatorNamespace'], 'ops'],
  ['spec.networkPolicy.statsFromNamespaces[0]', ['spec', 'networkPolicy', 'statsFromNamespaces', 0], 'monitoring'],
];
const NUMBER_FIELDS: [string, (string | number)[]][] = [
  ['spec.apps[0].replicas', ['spec', 'apps', 0, 'replicas']],
  ['spec.apps[0].port', ['spec', 'apps', 0, 'port']],
  ['spec.apps[0].weight', ['spec', 'apps', 0, 'weight']],
  ['spec.loadBalancer.replicas', ['spec', 'loadBalancer', 'replicas']],
  ['spec.loadBalancer.service.port', ['spec', 'loadBalancer', 'service', 'port']],
  ['spec.loadBalancer.healthCheck.intervalSeconds', ['spec', 'loadBalancer', 'healthCheck', 'intervalSeconds']],
  ['spec.database.replicas', ['spec', 'database', 'replicas']],
  ['spec.database.failover.failureThresholdSeconds', ['spec', 'database', 'failover', 'failureThresholdSeconds']],
];

const MUTATIONS: Mutation[] = [
  ...STRING_FIELDS.map(([path, keys, base]): Mutation => ({ path, apply: (ws, r) => at(ws, keys, hostileString(r, base)) })),
  ...STRING_FIELDS.map(([path, keys]): Mutation => ({ path, apply: (ws, r) => at(ws, keys, pick(r, WEIRD)) })),
  ...NUMBER_FIELDS.map(([path, keys]): Mutation => ({ path, apply: (ws, r) => at(ws, keys, pick(r, WEIRD)) })),
  { path: 'spec.database.databaseName', apply: (ws, r) => at(ws, ['spec', 'database', 'databaseName'], pick(r, RESERVED)) },
  { path: 'spec.database.user', apply: (ws, r) => at(ws, ['spec', 'database', 'user'], pick(r, RESERVED)) },
  { path: 'spec.database.engine', apply: (ws, r) => at(ws, ['spec', 'database', 'engine'], pick(r, ['mysql', 'mariadb', 'postgres', 'MySQL'])) },
  { path: 'spec.apps[0].name', apply: (ws, r) => at(ws, ['spec', 'apps', 0, 'name'], pick(r, ['haproxy', 'mysql', 'mysql-primary', 'mysql-replicas'])) },
  { path: 'spec.apps[0].env[0].name', apply: (ws, r) => at(ws, ['spec', 'apps', 0, 'env', 0], { name: pick(r, ['DATABASE_PASSWORD', 'DATABASE_HOST']), value: MARK }) },
  { path: 'spec.apps[0].env[0].value', apply: (ws, r) => at(ws, ['spec', 'apps', 0, 'env', 0], { name: 'X', value: hostileString(r, 'v') }) },
  { path: 'spec.loadBalancer.service.annotations', apply: (ws, r) => at(ws, ['spec', 'loadBalancer', 'service', 'annotations'], { [hostileString(r, 'a')]: 'x' }) },
  { path: 'spec.database.replicas', apply: (ws) => { at(ws, ['spec', 'database', 'primary'], `${ws.metadata.name}-mysql-2`); at(ws, ['spec', 'database', 'replicas'], 2); } },
];

/** What ends a value in haproxy.cfg ("," ";" and "%" are plain characters there). */
const HAPROXY_ESCAPES = ['\n', '\r\n', ' ', '\t', '"', "'", '#', '\\', '${', '\u0000'];

/** The texts a value could be injected into, each with the escapes that matter there: configs and scripts, container commands, SQL. */
function injectable(ws: WebStack): [string[], string][] {
  const objects = renderStack(ws, { credentials: FIXED_CREDENTIALS, haproxyAdminToken: FIXED_ADMIN_TOKEN, certificates: FIXED_CERTIFICATES });
  const texts: [string[], string][] = [];
  for (const o of objects as Json[]) {
    if (o.kind === 'ConfigMap') {
      for (const [key, text] of Object.entries(o.data as Record<string, string>)) texts.push([key.endsWith('.cfg') ? HAPROXY_ESCAPES : ESCAPES, text]);
    }
    for (const c of o.spec?.template?.spec?.containers ?? []) {
      // What a shell or a program reads as arguments (an httpGet probe's path is data, not a command).
      const probes = [c.startupProbe, c.readinessProbe, c.livenessProbe].map((p) => p?.exec?.command ?? []);
      texts.push([ESCAPES, JSON.stringify([c.command ?? [], c.args ?? [], ...probes])]);
    }
  }
  const credentials = managerCredentials(FIXED_CREDENTIALS, resolveSpec(ws));
  for (const sql of [...mysqlDialect.bootstrapUsers(credentials), ...mariadbDialect.bootstrapUsers(credentials)]) texts.push([ESCAPES, sql]);
  return texts;
}

/** Two paths are related when they share their first two segments (`spec.database...`), or one holds the other. */
function related(a: string, b: string): boolean {
  const seg = (p: string) => p.split(/[.[]/);
  const [x, y] = [seg(a), seg(b)];
  return a.startsWith(b) || b.startsWith(a) || (x[0] === y[0] && x[1] === y[1]);
}

interface Case { name: string; ws: Json; old?: Json; path: string }

function generate(seed: number, count: number): Case[] {
  const r = random(seed);
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    const edit = r() < 0.4;
    const base = r() < 0.5 ? full() : minimal();
    delete base.status;
    const ws = structuredClone(base);
    const mutation = pick(r, MUTATIONS);
    mutation.apply(ws, r);
    cases.push({ name: `${edit ? 'edit' : 'create'} #${i} of ${mutation.path}`, ws, old: edit ? base : undefined, path: mutation.path });
  }
  return cases;
}

const CASES = generate(12, 400);

describe('the bad-input campaign (seeded, 400 creates and edits)', () => {
  it('covers every mutation, and both refusals and acceptances', () => {
    const paths = new Set(CASES.map((c) => c.path));
    expect(paths.size).toBeGreaterThan(25);
    const refused = CASES.filter((c) => validateWebStack(c.ws, { old: c.old }).length > 0).length;
    expect(refused).toBeGreaterThan(CASES.length / 2);
    expect(refused).toBeLessThan(CASES.length);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: refused naming the field, or rendered with nothing injected', (_name, c) => {
    const errors = validateWebStack(c.ws, { old: c.old });
    if (errors.length > 0) {
      for (const e of errors) expect(e.field).not.toBe('');
      if (!c.path.startsWith('metadata.name')) expect(errors.filter((e) => related(e.field, c.path))).not.toEqual([]);
      return;
    }
    const ws = { ...c.ws, metadata: { ...c.ws.metadata, namespace: 'shop', uid: FIXED_UID } } as WebStack;
    for (const [escapes, text] of injectable(ws)) {
      for (const escape of escapes) expect(text).not.toContain(`${escape}${MARK}`);
    }
    const db = resolveSpec(ws).database;
    expect(['mysql', 'information_schema', 'performance_schema', 'sys']).not.toContain(db.databaseName.toLowerCase());
    expect(['root', 'mysql.sys', 'mariadb.sys']).not.toContain(db.user.toLowerCase());
    // The database is never torn down by an accepted edit.
    expect(renderStack(ws, { credentials: FIXED_CREDENTIALS, haproxyAdminToken: FIXED_ADMIN_TOKEN, certificates: FIXED_CERTIFICATES }).some((o) => o.kind === 'StatefulSet')).toBe(true);
  });
});
