/**
 * `webstack-operator agent`: the agent beside the server in each database pod. The admin
 * credentials come from the stack Secret through ADMIN_USER and ADMIN_PASSWORD (never flags,
 * which any process could read); the token the operator must present is derived from them.
 */
import { DEFAULT_DATA_DIR } from '../render/mysql-config.js';
import { createLogger } from '../log.js';
import { AGENT_PORT } from './protocol.js';
import { createAgentServer } from './server.js';
import { flagsOrExit, parseFlags, portFlag, serveUntilSignal, usageError } from '../serve-command.js';

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
  const values = parseFlags(argv, ['port', 'bind-address', 'data-dir', 'socket']);
  if (values === 'help') return values;
  const dataDir = values.get('data-dir') ?? DEFAULT_DATA_DIR;
  return { port: portFlag(values, AGENT_PORT), bindAddress: values.get('bind-address'), dataDir, socket: values.get('socket') ?? `${dataDir}/mysqld.sock` };
}

export async function main(argv: string[]): Promise<number> {
  const flags = flagsOrExit('agent', AGENT_USAGE, () => parseAgentFlags(argv));
  if (typeof flags === 'number') return flags;
  const adminUser = process.env.ADMIN_USER;
  const adminPassword = process.env.ADMIN_PASSWORD;
  if (!adminUser || !adminPassword) return usageError('agent', AGENT_USAGE, 'ADMIN_USER and ADMIN_PASSWORD must be set');
  delete process.env.ADMIN_PASSWORD;
  const log = createLogger();
  const server = createAgentServer({
    dataDir: flags.dataDir, socket: flags.socket, adminUser, adminPassword,
    log: (message, fields) => log.info(message, fields),
  });
  await serveUntilSignal(server, flags.port, flags.bindAddress, () => log.info('agent listening', { port: flags.port, dataDir: flags.dataDir }));
  return 0;
}
