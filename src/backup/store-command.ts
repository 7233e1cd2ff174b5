/**
 * `webstack-operator store`: the backup store of one stack, serving its backup volume to the
 * operator. The token comes through STORE_TOKEN (from the stack's Secret; never a flag, which any
 * process could read).
 */
import { mkdir } from 'node:fs/promises';
import { createLogger } from '../log.js';
import { STORE_MOUNT_PATH, STORE_PORT, STORE_TOKEN_ENV } from './store-protocol.js';
import { createStoreServer } from './store-server.js';
import { flagsOrExit, parseFlags, portFlag, serveUntilSignal, usageError } from '../serve-command.js';

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
  const values = parseFlags(argv, ['port', 'bind-address', 'dir']);
  if (values === 'help') return values;
  return { port: portFlag(values, STORE_PORT), bindAddress: values.get('bind-address'), dir: values.get('dir') ?? STORE_MOUNT_PATH };
}

export async function main(argv: string[]): Promise<number> {
  const flags = flagsOrExit('store', STORE_USAGE, () => parseStoreFlags(argv));
  if (typeof flags === 'number') return flags;
  const token = process.env[STORE_TOKEN_ENV];
  if (!token) return usageError('store', STORE_USAGE, `${STORE_TOKEN_ENV} must be set`);
  delete process.env[STORE_TOKEN_ENV];
  const log = createLogger();
  await mkdir(flags.dir, { recursive: true });
  const server = createStoreServer({ dir: flags.dir, token, log: (message, fields) => log.info(message, fields) });
  await serveUntilSignal(server, flags.port, flags.bindAddress, () => log.info('backup store listening', { port: flags.port, dir: flags.dir }));
  return 0;
}
