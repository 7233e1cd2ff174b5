/**
 * `webstack-operator store`: the backup store of one stack, serving its backup volume to the
 * operator. The token comes through STORE_TOKEN (from the stack's Secret; never a flag, which any
 * process could read).
 */
import { mkdir } from 'node:fs/promises';
import { createLogger } from '../log.js';
import { STORE_MOUNT_PATH, STORE_PORT, STORE_TOKEN_ENV } from './store-protocol.js';
import { createStoreServer } from './store-server.js';

export const STORE_USAGE = `usage: webstack-operator store [flags]

  --port PORT          where the store listens (default: ${STORE_PORT})
  --bind-address IP    default: every address
  --dir DIR            the backup volume (default: ${STORE_MOUNT_PATH})
environment: ${STORE_TOKEN_ENV} (required; the bearer token the operator presents)
`;

export interface StoreFlags {
  port: number;
  bindAddress?: string;
  dir: string;
}

export function parseStoreFlags(argv: string[]): StoreFlags | 'help' {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return 'help';
    const m = /^--(port|bind-address|dir)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown flag '${arg}'`);
    const value = m[2] ?? argv[++i];
    if (value === undefined || value === '') throw new Error(`--${m[1]} needs a value`);
    values.set(m[1], value);
  }
  const port = Number(values.get('port') ?? STORE_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: '${values.get('port')}' is not a port (0-65535)`);
  return { port, bindAddress: values.get('bind-address'), dir: values.get('dir') ?? STORE_MOUNT_PATH };
}

export async function main(argv: string[]): Promise<number> {
  let flags;
  try {
    flags = parseStoreFlags(argv);
  } catch (err) {
    process.stderr.write(`webstack-operator store: ${err instanceof Error ? err.message : String(err)}\n${STORE_USAGE}`);
    return 2;
  }
  if (flags === 'help') {
    process.stdout.write(STORE_USAGE);
    return 0;
  }
  const token = process.env[STORE_TOKEN_ENV];
  if (!token) {
    process.stderr.write(`webstack-operator store: ${STORE_TOKEN_ENV} must be set\n${STORE_USAGE}`);
    return 2;
  }
  delete process.env[STORE_TOKEN_ENV];
  const log = createLogger();
  await mkdir(flags.dir, { recursive: true });
  const server = createStoreServer({ dir: flags.dir, token, log: (message, fields) => log.info(message, fields) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(flags.port, flags.bindAddress, resolve);
  });
  log.info('backup store listening', { port: flags.port, dir: flags.dir });
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return 0;
}
