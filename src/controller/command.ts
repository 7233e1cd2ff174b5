/** `webstack-operator run`: the operator process. Exits 0 after SIGTERM, 1 when it loses the lease. */
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '../log.js';
import { BackupController } from './backup/backup-controller.js';
import { DatabaseManagers } from './database/managers.js';
import { parseRunFlags, RUN_USAGE } from './flags.js';
import { Operator } from './operator.js';

export async function main(argv: string[]): Promise<number> {
  let flags;
  try {
    flags = parseRunFlags(argv);
  } catch (err) {
    process.stderr.write(`webstack-operator run: ${err instanceof Error ? err.message : String(err)}\n${RUN_USAGE}`);
    return 2;
  }
  if (flags === 'help') {
    process.stdout.write(RUN_USAGE);
    return 0;
  }
  const log = createLogger({ format: flags.logFormat });
  const kc = new KubeConfig();
  try {
    if (flags.kubeconfig) kc.loadFromFile(flags.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    log.error('cannot load kubeconfig', { file: flags.kubeconfig ?? '(default)', error: err instanceof Error ? err.message : String(err) });
    return 1;
  }
  const identity = process.env.POD_NAME || `${hostname()}_${process.pid}`;
  const leaseNamespace = flags.leaseNamespace || process.env.POD_NAMESPACE || kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
  const operator = new Operator({
    kubeConfig: kc,
    namespaces: flags.namespaces,
    identity,
    leaderElection: flags.leaderElect ? { namespace: leaseNamespace, name: flags.leaseName } : undefined,
    metricsPort: flags.metricsPort,
    healthPort: flags.healthPort,
    bindAddress: flags.bindAddress || undefined,
    log,
    timings: flags.timings,
    workers: flags.workers,
    agentImage: flags.agentImage,
    backupStoreImage: flags.backupStoreImage ?? flags.agentImage,
    exporterImage: flags.exporterImage,
    databaseManagers: (parts) => new DatabaseManagers(parts),
    backups: (parts) => new BackupController(parts),
  });
  const onSignal = (signal: string) => {
    log.info('shutting down', { signal });
    void operator.stop(`received ${signal}`);
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  log.info('starting', {
    identity, namespaces: flags.namespaces.join(',') || '(all)', leaderElect: flags.leaderElect, leaseNamespace, leaseName: flags.leaseName,
  });
  operator.start().catch((err: unknown) => {
    log.error('start failed', { error: err instanceof Error ? err.message : String(err) });
    void operator.stop('start failed', false);
  });
  const reason = await operator.stopped;
  return reason.startsWith('received ') ? 0 : 1;
}
