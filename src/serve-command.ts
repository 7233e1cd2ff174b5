/**
 * What the image's serving subcommands (`agent`, `store`) share: flags from a fixed list given as
 * `--name value` or `--name=value`, a --port flag, errors shown with the usage, and an HTTP server
 * that listens until SIGTERM or SIGINT. Secrets come through the environment, never flags.
 */
import type { Server } from 'node:http';

/** The flags' values by name, or 'help' for -h/--help; an unknown flag or one without a value throws. */
export function parseFlags(argv: readonly string[], names: readonly string[]): Map<string, string> | 'help' {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return 'help';
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !names.includes(m[1])) throw new Error(`unknown flag '${arg}'`);
    const value = m[2] ?? argv[++i];
    if (value === undefined || value === '') throw new Error(`--${m[1]} needs a value`);
    values.set(m[1], value);
  }
  return values;
}

/** --port's value, `fallback` when not given; 0 asks for any free port. */
export function portFlag(values: ReadonlyMap<string, string>, fallback: number): number {
  const given = values.get('port');
  const port = Number(given ?? fallback);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: '${given}' is not a port (0-65535)`);
  return port;
}

/** Writes `message` and the usage to stderr; the exit code of a command used wrongly. */
export function usageError(command: string, usage: string, message: string): number {
  process.stderr.write(`webstack-operator ${command}: ${message}\n${usage}`);
  return 2;
}

/** The flags, or the exit code when there is nothing to run (help shown: 0; bad flags: 2). */
export function flagsOrExit<T>(command: string, usage: string, parse: () => T | 'help'): T | number {
  let flags: T | 'help';
  try {
    flags = parse();
  } catch (err) {
    return usageError(command, usage, err instanceof Error ? err.message : String(err));
  }
  if (flags !== 'help') return flags;
  process.stdout.write(usage);
  return 0;
}

/** Listens, calls `listening`, and closes the server on SIGTERM or SIGINT. */
export async function serveUntilSignal(server: Server, port: number, bindAddress: string | undefined, listening: () => void): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, bindAddress, resolve);
  });
  listening();
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
