/** Probe connections kept between probes, on a real mariadbd: reused, dialled again after a loss, and a hang still found fast. */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { KeptSessions } from '../../../src/mysql/sql/session.js';
import { DatabaseError } from '../../../src/mysql/sanitize.js';
import { startMariadbCluster, type MariadbCluster } from '../../support/mariadb-cluster.js';
import { eventually } from '../../support/eventually.js';

let cluster: MariadbCluster;
let kept: KeptSessions;
beforeAll(async () => {
  cluster = await startMariadbCluster({ size: 1 });
  // Statements of actions would wait a minute: a probe that times out used the connect deadline.
  kept = new KeptSessions(cluster.credentials, { connectMs: 500, queryMs: 60_000 }, () => cluster.caBundle);
}, 120_000);
afterAll(async () => {
  kept?.close();
  await cluster?.close();
}, 60_000);

const connectionId = async () => {
  const [row] = await kept.with(cluster.addresses()[0], (s) => s.query('SELECT CONNECTION_ID() AS id'));
  return Number(row.id);
};

test('one connection serves probe after probe', async () => {
  const first = await connectionId();
  expect(await connectionId()).toBe(first);
  expect(await connectionId()).toBe(first);
});

test('a connection the server closed is dialled again at once: the probe still answers', async () => {
  const before = await connectionId();
  const admin = await cluster.connect(cluster.instances[0].name);
  await admin.query(`KILL CONNECTION ${before}`);
  await admin.end();
  const after = await connectionId();
  expect(after).not.toBe(before);
});

test('a kept connection the server ends is reported at once (its manager ticks now); one closed here is not', async () => {
  const lost: string[] = [];
  const watched = new KeptSessions(cluster.credentials, { connectMs: 500, queryMs: 60_000 }, () => cluster.caBundle, (name) => lost.push(name));
  const address = cluster.addresses()[0];
  const [row] = await watched.with(address, (s) => s.query('SELECT CONNECTION_ID() AS id'));
  const admin = await cluster.connect(cluster.instances[0].name);
  await admin.query(`KILL CONNECTION ${Number(row.id)}`);
  await admin.end();
  await eventually('the loss reported', async () => lost.length > 0);
  expect(lost).toEqual([address.name]);
  await watched.with(address, (s) => s.query('SELECT 1'));
  watched.close();
  await new Promise((r) => setTimeout(r, 200));
  expect(lost).toEqual([address.name]);
});

test('a hung server (SIGSTOP) fails the probe with a timeout within the connect deadline, and the next probe dials anew', async () => {
  await connectionId();
  const name = cluster.instances[0].name;
  cluster.stop(name);
  let error: unknown;
  try {
    await connectionId();
  } catch (err) {
    error = err;
  } finally {
    cluster.cont(name);
  }
  expect(error).toBeInstanceOf(DatabaseError);
  expect((error as DatabaseError).kind).toBe('timeout');
  // A resumed server on a loaded machine may miss one 500 ms connect deadline: the point is that it is dialled anew.
  await eventually('a probe to answer after SIGCONT', async () => (await connectionId().catch(() => 0)) > 0, 20_000, 100);
}, 30_000);

test('close() ends the kept connections; a later probe dials again', async () => {
  const before = await connectionId();
  kept.close();
  const admin = await cluster.connect(cluster.instances[0].name);
  const [rows] = await admin.query(`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ${before}`);
  await admin.end();
  expect(Number((rows as { n: number }[])[0].n)).toBe(0);
  expect(await connectionId()).not.toBe(before);
});

test('a statement the server refuses is never run twice, and actions wait as long as they ask', async () => {
  await connectionId();
  let runs = 0;
  const refused = kept.with(cluster.addresses()[0], async (s) => {
    runs++;
    return s.query('SELECT * FROM mysql.no_such_table');
  }, 60_000);
  await expect(refused).rejects.toBeInstanceOf(DatabaseError);
  expect(runs).toBe(1);
  // Longer than the 500 ms probe deadline: an action's default is the query deadline it was given.
  const [row] = await kept.with(cluster.addresses()[0], (s) => s.query('SELECT SLEEP(0.8) AS slept'), 60_000);
  expect(Number(row.slept)).toBe(0);
});

test('statements that read go in one query (one entry in the server\'s general log) and come back as rows of each, in order', async () => {
  const address = cluster.addresses()[0];
  const id = await connectionId();
  const admin = await cluster.connect(cluster.instances[0].name);
  try {
    await admin.query("SET GLOBAL log_output = 'TABLE', GLOBAL general_log = ON");
    const answers = await kept.with(address, (s) => s.queries(["SELECT 'a;b' AS first", 'SHOW SLAVE STATUS', 'SELECT 2 AS third']));
    await admin.query('SET GLOBAL general_log = OFF');
    expect(answers).toEqual([[{ first: 'a;b' }], [], [{ third: 2 }]]);
    const [logged] = await admin.query(`SELECT CONVERT(argument USING utf8mb4) AS sql_text FROM mysql.general_log WHERE thread_id = ${id} AND command_type = 'Query'`);
    expect((logged as { sql_text: string }[]).map((r) => r.sql_text)).toEqual(["SELECT 'a;b' AS first;\nSHOW SLAVE STATUS;\nSELECT 2 AS third"]);
    expect(await kept.with(address, (s) => s.queries(['SELECT 1 AS only']))).toEqual([[{ only: 1 }]]);
  } finally {
    await admin.query('SET GLOBAL general_log = OFF');
    await admin.end();
  }
});

test('one refused statement among several fails the whole query with the server\'s error', async () => {
  const refused = kept.with(cluster.addresses()[0], (s) => s.queries(['SELECT 1', 'SELECT * FROM mysql.no_such_table']));
  await expect(refused).rejects.toThrow(/no_such_table/);
  expect(await connectionId()).toBeGreaterThan(0);
});
