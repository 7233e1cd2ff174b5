// Demo app for webstack-operator: shows which pod served a request, writes through the primary
// (DATABASE_HOST) and reads through the replicas (DATABASE_READ_HOST). Plain Node, no build step.
import dns from 'node:dns';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import mysql from 'mysql2/promise';

const env = process.env;
const config = {
  host: env.HOST || '0.0.0.0',
  port: Number(env.PORT || 8080),
  pod: env.POD_NAME || os.hostname(),
  database: {
    writeHost: env.DATABASE_HOST || '127.0.0.1',
    readHost: env.DATABASE_READ_HOST || env.DATABASE_HOST || '127.0.0.1',
    port: Number(env.DATABASE_PORT || 3306),
    name: env.DATABASE_NAME || 'app',
    user: env.DATABASE_USER || 'app',
    password: env.DATABASE_PASSWORD || '',
    // The CA bundle the server's certificate is verified against (the operator mounts it); unset: no TLS.
    caFile: env.DATABASE_SSL_CA || '',
  },
};
/**
 * The webstack-operator sandbox runs pods as local processes, where /etc/resolv.conf knows no
 * cluster names: it passes its DNS server (SANDBOX_DNS=ip:port) and the pod's search domains
 * (SANDBOX_DNS_SEARCH=a,b,c). Names are tried with each search domain first, as with ndots:5,
 * then as given, then through the system resolver.
 */
function sandboxLookup(server, search) {
  const resolver = new dns.Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([server]);
  return (hostname, options, callback) => {
    const names = hostname.endsWith('.') ? [hostname.slice(0, -1)] : [...search.map((d) => `${hostname}.${d}`), hostname];
    const tryName = (i) => {
      if (i >= names.length) return dns.lookup(hostname, options, callback);
      resolver.resolve4(names[i], (err, addresses) => {
        if (err || addresses.length === 0) return tryName(i + 1);
        if (options.all) callback(null, addresses.map((address) => ({ address, family: 4 })));
        else callback(null, addresses[0], 4);
      });
    };
    tryName(0);
  };
}
const lookup = env.SANDBOX_DNS ? sandboxLookup(env.SANDBOX_DNS, (env.SANDBOX_DNS_SEARCH || '').split(',').filter(Boolean)) : undefined;
const startedAt = Date.now();
let served = 0;

const TABLE = 'visits';
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${TABLE} (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  pod VARCHAR(253) NOT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
)`;

/**
 * A pool per target that is thrown away after any error: after a failover the Service name
 * points at a new server, and connections to the old one (gone, or alive but read-only) must
 * not be reused.
 */
function databaseTarget(host) {
  let pool;
  let tableReady = false;
  const open = () => {
    pool ??= mysql.createPool({
      host,
      port: config.database.port,
      user: config.database.user,
      password: config.database.password,
      database: config.database.name,
      connectionLimit: 5,
      connectTimeout: 3000,
      enableKeepAlive: true,
      // Read again for every new pool, so a renewed CA bundle is picked up. The host name is checked too:
      // the certificate names the primary and replicas Services.
      ...(config.database.caFile ? { ssl: { ca: readFileSync(config.database.caFile, 'utf8'), rejectUnauthorized: true, verifyIdentity: true } } : {}),
      ...(lookup ? { stream: ({ config: c }) => net.connect({ host: c.host, port: c.port, lookup, noDelay: true }) } : {}),
    });
    return pool;
  };
  const reset = () => {
    const old = pool;
    pool = undefined;
    tableReady = false;
    old?.end().catch(() => {});
  };
  return {
    host,
    /** Runs `work(conn, ensureTable)` on a pooled connection; any error discards the pool. */
    async run(work) {
      let conn;
      try {
        conn = await open().getConnection();
        const ensureTable = async () => {
          if (!tableReady) await conn.query(CREATE_TABLE);
          tableReady = true;
        };
        const result = await work(conn, ensureTable);
        conn.release();
        return result;
      } catch (err) {
        conn?.destroy();
        reset();
        throw err;
      }
    },
    close: () => pool?.end(),
  };
}

const primary = databaseTarget(config.database.writeHost);
const replicas = databaseTarget(config.database.readHost);

async function withDatabase(target, work) {
  try {
    return await target.run(work);
  } catch (err) {
    // Server and network errors carry a code (ER_..., ECONNREFUSED); anything else is a bug here.
    if (!err || !err.code) throw err;
    throw Object.assign(new Error(`database ${target.host}:${config.database.port} unavailable: ${describeError(err)}`), { status: 503 });
  }
}

/** A database error as the client may see it: the password is never part of it. */
function describeError(err) {
  const text = err && err.code ? `${err.code}: ${err.message}` : String(err && err.message ? err.message : err);
  return config.database.password ? text.split(config.database.password).join('***') : text;
}

const routes = {
  'GET /': async () => [200, {
    pod: config.pod,
    hostname: os.hostname(),
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    requestsServed: served,
    database: { write: config.database.writeHost, read: config.database.readHost },
  }],
  // Liveness only: a database outage must not take every app pod out of the load balancer.
  'GET /healthz': async () => [200, { status: 'ok', pod: config.pod }],
  'GET /readyz': async () => withDatabase(replicas, async (conn) => {
    await conn.query('SELECT 1');
    return [200, { status: 'ready', pod: config.pod }];
  }),
  'POST /write': async () => withDatabase(primary, async (conn, ensureTable) => {
    await ensureTable();
    const [result] = await conn.query(`INSERT INTO ${TABLE} (pod) VALUES (?)`, [config.pod]);
    const [[server]] = await conn.query('SELECT @@hostname AS hostname, @@server_id AS serverId');
    return [201, { id: Number(result.insertId), pod: config.pod, server }];
  }),
  'GET /read': async () => withDatabase(replicas, async (conn) => {
    const [[server]] = await conn.query('SELECT @@hostname AS hostname, @@server_id AS serverId');
    try {
      const [[row]] = await conn.query(`SELECT COUNT(*) AS count, MAX(id) AS lastId FROM ${TABLE}`);
      return [200, { count: Number(row.count), lastId: row.lastId === null ? null : Number(row.lastId), pod: config.pod, server }];
    } catch (err) {
      // Nothing written yet (or not yet replicated): an empty table, not an error.
      if (err.code === 'ER_NO_SUCH_TABLE') return [200, { count: 0, lastId: null, pod: config.pod, server }];
      throw err;
    }
  }),
};

async function handle(req, res) {
  served += 1;
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const route = routes[`${req.method} ${path}`];
  let status;
  let body;
  if (route) {
    try {
      [status, body] = await route();
    } catch (err) {
      status = err.status ?? 500;
      body = { error: err.status ? err.message : 'internal error', pod: config.pod };
      process.stderr.write(`${new Date().toISOString()} ${req.method} ${path} ${status}: ${describeError(err)}\n`);
    }
  } else {
    const known = Object.keys(routes).some((r) => r.endsWith(` ${path}`));
    [status, body] = known ? [405, { error: `method ${req.method} not allowed on ${path}` }] : [404, { error: `no route ${path}` }];
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-served-by': config.pod });
  res.end(text);
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => res.destroy());
});
server.listen(config.port, config.host, () => {
  const address = server.address();
  process.stdout.write(`demo-app ${config.pod} listening on ${address.address}:${address.port}\n`);
});

function shutdown() {
  server.close();
  server.closeAllConnections();
  Promise.allSettled([primary.close(), replicas.close()]).then(() => process.exit(0));
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
