/** `webstack-operator apiserver --port N --kubeconfig-out FILE`: the in-memory API server on its own. */
import { startApiServer } from './index.js';

const usage = 'usage: webstack-operator apiserver [--port N] [--host 127.0.0.1] [--kubeconfig-out FILE] [--watch-history N]\n';

export async function main(argv: string[]): Promise<number> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(usage);
      return 0;
    }
    const m = arg.match(/^--([a-z-]+)(?:=(.*))?$/);
    if (!m || !['port', 'host', 'kubeconfig-out', 'watch-history'].includes(m[1])) {
      process.stderr.write(`apiserver: unknown flag '${arg}'\n${usage}`);
      return 2;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) {
      process.stderr.write(`apiserver: flag --${m[1]} needs a value\n${usage}`);
      return 2;
    }
    flags[m[1]] = value;
  }
  const port = Number(flags.port ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`apiserver: --port must be a port number, got '${flags.port}'\n`);
    return 2;
  }
  const watchHistory = Number(flags['watch-history'] ?? '10000');
  if (!Number.isInteger(watchHistory) || watchHistory < 1) {
    process.stderr.write(`apiserver: --watch-history must be a positive integer, got '${flags['watch-history']}'\n`);
    return 2;
  }
  const server = await startApiServer({ port, host: flags.host, watchHistory });
  if (flags['kubeconfig-out']) server.writeKubeconfig(flags['kubeconfig-out']);
  process.stdout.write(`apiserver listening on ${server.url}${flags['kubeconfig-out'] ? `, kubeconfig in ${flags['kubeconfig-out']}` : ''}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
