import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../src/sandbox/control-plane/index.js';
import { startMariadbInstance, type MariadbInstance } from '../support/mariadb-instance.js';
import { eventually } from '../support/eventually.js';

const PASSWORD = 'demo-S3cret-pw';
const POD = 'shop-web-7d9f-abcde';

let db: MariadbInstance;
let app: ChildProcess;
let appExited: Promise<void>;
let appLog = '';
let base = '';


/** What the operator does on the primary: make it writable, create the app database and user. */
async function preparePrimary(): Promise<void> {
  const conn = await db.connect();
  try {
    await conn.query('SET GLOBAL read_only = 0');
    await conn.query('CREATE DATABASE IF NOT EXISTS app');
    await conn.query("CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY ?", [PASSWORD]);
    await conn.query("GRANT ALL ON app.* TO 'app'@'%'");
  } finally {
    await conn.end();
  }
}

async function setReadOnly(on: boolean): Promise<void> {
  const conn = await db.connect();
  try {
    await conn.query(`SET GLOBAL read_only = ${on ? 1 : 0}`);
  } finally {
    await conn.end();
  }
}

async function call(method: string, path: string): Promise<{ status: number; body: Record<string, unknown>; servedBy: string | null }> {
  const res = await fetch(base + path, { method });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, servedBy: res.headers.get('x-served-by') };
}

/** eventually(), with the app's output on failure. */
async function until<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs = 60000): Promise<T> {
  return eventually(what, attempt, timeoutMs, 200).catch((err: Error) => {
    throw new Error(`${err.message}; app output:\n${appLog}`);
  });
}

beforeAll(async () => {
  db = await startMariadbInstance({ podName: 'demo-mysql-0' });
  await preparePrimary();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  app = spawn(process.execPath, ['examples/demo-app/server.js'], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      POD_NAME: POD,
      DATABASE_HOST: '127.0.0.1',
      DATABASE_READ_HOST: '127.0.0.1',
      DATABASE_PORT: String(db.port),
      DATABASE_NAME: 'app',
      DATABASE_USER: 'app',
      DATABASE_PASSWORD: PASSWORD,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  app.stdout?.on('data', (d: Buffer) => { appLog += d.toString(); });
  app.stderr?.on('data', (d: Buffer) => { appLog += d.toString(); });
  appExited = new Promise((resolve) => app.once('exit', () => resolve()));
  await until('the demo app to listen', async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined));
}, 120000);

afterAll(async () => {
  if (app && app.exitCode === null) {
    app.kill('SIGTERM');
    await appExited;
  }
  await db?.cleanup();
}, 60000);

describe('examples/demo-app/server.js against a real mariadbd', () => {
  it('GET / says which pod served the request', async () => {
    const { status, body, servedBy } = await call('GET', '/');
    expect(status).toBe(200);
    expect(body).toMatchObject({ pod: POD, database: { write: '127.0.0.1', read: '127.0.0.1' } });
    expect(servedBy).toBe(POD);
  });

  it('GET /healthz answers 200; unknown paths 404, wrong methods 405', async () => {
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect((await call('GET', '/nope')).status).toBe(404);
    expect((await call('GET', '/write')).status).toBe(405);
  });

  it('POST /write inserts through DATABASE_HOST (creating the table) and GET /read counts through DATABASE_READ_HOST', async () => {
    const empty = await call('GET', '/read');
    expect(empty).toMatchObject({ status: 200, body: { count: 0, lastId: null } });
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { status, body } = await call('POST', '/write');
      expect(status).toBe(201);
      expect(body).toMatchObject({ pod: POD, server: { serverId: expect.any(Number) } });
      ids.push(body.id as number);
    }
    expect(ids[1]).toBeGreaterThan(ids[0]);
    expect(ids[2]).toBeGreaterThan(ids[1]);
    const read = await call('GET', '/read');
    expect(read).toMatchObject({ status: 200, body: { count: 3, lastId: ids[2] } });
    expect((await call('GET', '/readyz')).status).toBe(200);
  });

  it('answers 503 without the password while the database is down, stays live, and recovers when it is back', async () => {
    const before = (await call('GET', '/read')).body.count as number;
    await db.stop();
    const failed = await call('POST', '/write');
    expect(failed.status).toBe(503);
    expect(String(failed.body.error)).toMatch(/database 127\.0\.0\.1:\d+ unavailable/);
    expect(JSON.stringify(failed.body)).not.toContain(PASSWORD);
    expect((await call('GET', '/read')).status).toBe(503);
    expect((await call('GET', '/readyz')).status).toBe(503);
    expect((await call('GET', '/healthz')).status).toBe(200);

    // The start script brings the server back read-only, as after any restart; the operator reopens writes.
    await db.start();
    await setReadOnly(false);
    const written = await until('a write after the restart', async () => {
      const r = await call('POST', '/write');
      return r.status === 201 ? r : undefined;
    });
    expect(written.body.id).toEqual(expect.any(Number));
    expect((await call('GET', '/read')).body.count).toBe(before + 1);
    expect(appLog).not.toContain(PASSWORD);
  }, 120000);

  it('refuses writes cleanly on a read-only server (a demoted primary) and writes again once writable', async () => {
    await setReadOnly(true);
    try {
      const refused = await call('POST', '/write');
      expect(refused.status).toBe(503);
      expect(String(refused.body.error)).toMatch(/read-only|READ.ONLY|OPTION_PREVENTS/i);
    } finally {
      await setReadOnly(false);
    }
    expect((await call('POST', '/write')).status).toBe(201);
  });
});
