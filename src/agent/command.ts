/**
 * `webstack-operator agent`: the agent beside the server in each database pod. The admin
 * credentials come from the stack Secret through ADMIN_USER and ADMIN_PASSWORD (never flags,
 * which any process could read); the token the operator must present is derived from them.
 */
import { DEFAULT_DATA_DIR } from '../render/mysql-config.js';
import { createLogger } from '../log.js';
import { AGENT_PORT } from './protocol.js';
import { createAgentServer } from './server.js';

export const AGENT_USAGE = `usage: webstack-operator agent [flags]

  --port PORT          where the agent listens (default: ${AGENT_PORT})
  --bind-address IP    default: every address
  --data-dir DIR       the server's data directory (default: ${DEFAULT_DATA_DIR})
  --socket FILE        the server's socket (default: DATA_DIR/mysqld.sock)
environment: ADMIN_USER, ADMIN_PASSWORD (required; the stack Secret's admin account)
`;

export interface AgentFlags {
  port: number;
  bindAddress?: string;
  dataDir: string;
  socket: string;
}

export function parseAgentFlags(argv: string[]): AgentFlags | 'help' {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return 'help';
    const m = /^--(port|bind-address|data-dir|socket)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown flag '${arg}'`);
    const value = m[2] ?? argv[++i];
    if (value === undefined || value === '') throw new Error(`--${m[1]} needs a value`);
    values.set(m[1], value);
  }
  const port = Number(values.get('port') ?? AGENT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: '${values.get('port')}' is not a port (0-65535)`);
  const dataDir = values.get('data-dir') ?? DEFAULT_DATA_DIR;
  return { port, bindAddress: values.get('bind-address'), dataDir, socket: values.get('socket') ?? `${dataDir}/mysqld.sock` };
}

export async function main(argv: string[]): Promise<number> {
  let flags;
  try {
    flags = parseAgentFlags(argv);
  } catch (err) {
    process.stderr.write(`webstack-operator agent: ${err instanceof Error ? err.message : String(err)}\n${AGENT_USAGE}`);
    return 2;
  }
  if (flags === 'help') {
    process.stdout.write(AGENT_USAGE);
    return 0;
  }
  const adminUser = process.env.ADMIN_USER;
  const adminPassword = process.env.ADMIN_PASSWORD;
  if (!adminUser || !adminPassword) {
    process.stderr.write(`webstack-operator agent: ADMIN_USER and ADMIN_PASSWORD must be set\n${AGENT_USAGE}`);
    return 2;
  }
  delete process.env.ADMIN_PASSWORD;
  const log = createLogger();
  const server = createAgentServer({
    dataDir: flags.dataDir, socket: flags.socket, adminUser, adminPassword,
    log: (message, fields) => log.info(message, fields),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(flags.port, flags.bindAddress, resolve);
  });
  log.info('agent listening', { port: flags.port, dataDir: flags.dataDir });
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return 0;
}
