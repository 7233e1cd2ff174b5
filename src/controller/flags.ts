/** `webstack-operator run` flags: the contract with the Helm chart. Pure parsing, errors name the flag. */
import { isIP } from 'node:net';
import { DEFAULT_TIMINGS, type Timings } from '../timings.js';
import { DEFAULT_MYSQLD_EXPORTER_IMAGE, EXPORTER_PORT } from '../render/mysqld-exporter.js';

export interface RunFlags {
  kubeconfig?: string;
  namespaces: string[];
  leaderElect: boolean;
  leaseNamespace?: string;
  leaseName: string;
  metricsPort: number;
  healthPort: number;
  /** Empty: every interface. */
  bindAddress: string;
  logFormat?: 'json' | 'text';
  timings: Timings;
  workers: number;
  /** The image of the agent in each database pod; the chart passes the operator's own. */
  agentImage?: string;
  /** The image of each stack's backup store (the operator's own); undefined: the agent's image. */
  backupStoreImage?: string;
  /** The image of the mysqld-exporter sidecar in each database pod; undefined: none. */
  exporterImage?: string;
}

export const RUN_USAGE = `usage: webstack-operator run [flags]

  --kubeconfig FILE                  kubeconfig to use (default: $KUBECONFIG, ~/.kube/config, or in-cluster)
  --namespace NS[,NS2]               namespaces to watch (default: all)
  --leader-elect=true|false          elect a leader through a Lease before reconciling (default: true)
  --lease-namespace NS               namespace of the Lease (default: $POD_NAMESPACE, else the kubeconfig's)
  --lease-name NAME                  name of the Lease (default: webstack-operator-leader)
  --leader-elect-lease-duration D    how long a lease is valid without renewal (default: 15s)
  --leader-elect-renew-deadline D    how long a leader retries renewing before it steps down (default: 10s)
  --leader-elect-retry-period D      time between attempts (default: 2s)
  --metrics-port PORT                Prometheus /metrics (default: 8080)
  --health-port PORT                 /healthz and /readyz (default: 8081)
  --bind-address IP                  address the metrics and health servers listen on (default: all)
  --log-format json|text             default: text on a terminal, JSON otherwise
  --resync-period D                  re-check a stack this long after its last reconcile (default: 10m)
  --workers N                        stacks reconciled in parallel (default: 8)
  --agent-image IMAGE                run \`webstack-operator agent\` from this image in each database pod (fence by SIGKILL,
                                     rebuilds); the chart passes the operator's own image (default: no agent)
  --mysqld-exporter-image IMAGE      run mysqld-exporter from this image beside each database server, its metrics on port
                                     ${EXPORTER_PORT} (default: ${DEFAULT_MYSQLD_EXPORTER_IMAGE}; empty: no exporter)
  --database-probe-interval D        how often each database instance is probed (default: 500ms)
  --database-connect-timeout D       connecting to a database instance gives up after this (default: 500ms)
  --database-query-timeout D         one statement gives up after this (default: 2s)
  --switchover-timeout D             a switchover that has not finished this long after it began rolls back (default: 10s)
  --restart-settle D                 a hard-restarted old primary has this long to come back read-only before it is fenced by SQL (default: 30s)
  --roll-timeout D                   a rolling update waits this long for a replaced instance to replicate again before RolloutStuck (default: 5m)
  --roll-drain D                     after a rolling update's switchover, the old primary is replaced this long after (default: 5s)
  --rebuild-timeout D                a rebuild from a peer not finished this long after it began is abandoned (default: 2h)
  --backup-store-image IMAGE         run \`webstack-operator store\` from this image for each stack whose backups go to its own volume
                                     (default: the --agent-image; without either, such backups fail)
`;

/** "15s", "500ms", "2m", "1h" or a bare number of seconds, in milliseconds. */
export function parseDuration(flag: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new Error(`--${flag}: '${value}' is not a duration (e.g. 15s, 500ms, 2m)`);
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const unit = units[m[2] ?? 's'];
  return Math.round(Number(m[1]) * unit);
}

function parsePort(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${flag}: '${value}' is not a port (0-65535)`);
  return n;
}

function parseBool(flag: string, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`--${flag}: '${value}' must be true or false`);
}

const VALUE_FLAGS = new Set(['kubeconfig', 'namespace', 'lease-namespace', 'lease-name', 'metrics-port', 'health-port', 'bind-address', 'log-format',
  'leader-elect-lease-duration', 'leader-elect-renew-deadline', 'leader-elect-retry-period', 'resync-period', 'workers',
  'database-probe-interval', 'database-connect-timeout', 'database-query-timeout', 'switchover-timeout', 'restart-settle', 'roll-timeout', 'roll-drain', 'rebuild-timeout', 'backup-store-image', 'agent-image',
  'mysqld-exporter-image']);

/** A duration flag that must be above zero. */
function positiveDuration(flag: string, value: string): number {
  const ms = parseDuration(flag, value);
  if (ms <= 0) throw new Error(`--${flag}: '${value}' must be longer than 0`);
  return ms;
}

export function parseRunFlags(argv: string[]): RunFlags | 'help' {
  const flags: RunFlags = {
    namespaces: [], leaderElect: true, leaseName: 'webstack-operator-leader', metricsPort: 8080, healthPort: 8081, bindAddress: '',
    timings: { ...DEFAULT_TIMINGS, lease: { ...DEFAULT_TIMINGS.lease }, database: { ...DEFAULT_TIMINGS.database } }, workers: 8,
    exporterImage: DEFAULT_MYSQLD_EXPORTER_IMAGE,
  };
  const t = flags.timings;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return 'help';
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (name === 'leader-elect') value = 'true';
    else if (VALUE_FLAGS.has(name)) {
      if (i + 1 >= argv.length) throw new Error(`--${name}: needs a value`);
      value = argv[++i];
    } else throw new Error(`unknown flag --${name}`);
    switch (name) {
      case 'kubeconfig': flags.kubeconfig = value; break;
      case 'namespace': flags.namespaces = value.split(',').map((s) => s.trim()).filter(Boolean); break;
      case 'leader-elect': flags.leaderElect = parseBool(name, value); break;
      case 'lease-namespace': flags.leaseNamespace = value; break;
      case 'lease-name':
        if (!value) throw new Error('--lease-name: must not be empty');
        flags.leaseName = value;
        break;
      case 'metrics-port': flags.metricsPort = parsePort(name, value); break;
      case 'health-port': flags.healthPort = parsePort(name, value); break;
      case 'bind-address':
        if (isIP(value) === 0) throw new Error(`--bind-address: '${value}' is not an IP address`);
        flags.bindAddress = value;
        break;
      case 'log-format':
        if (value !== 'json' && value !== 'text') throw new Error(`--log-format: '${value}' must be json or text`);
        flags.logFormat = value;
        break;
      case 'leader-elect-lease-duration': t.lease.leaseDurationMs = parseDuration(name, value); break;
      case 'leader-elect-renew-deadline': t.lease.renewDeadlineMs = parseDuration(name, value); break;
      case 'leader-elect-retry-period': t.lease.retryPeriodMs = parseDuration(name, value); break;
      case 'resync-period': t.resyncPeriodMs = parseDuration(name, value); break;
      case 'database-probe-interval': t.database.probeIntervalMs = positiveDuration(name, value); break;
      case 'database-connect-timeout': t.database.connectTimeoutMs = positiveDuration(name, value); break;
      case 'database-query-timeout': t.database.queryTimeoutMs = positiveDuration(name, value); break;
      case 'switchover-timeout': t.database.switchoverTimeoutMs = positiveDuration(name, value); break;
      case 'restart-settle': t.database.restartSettleMs = positiveDuration(name, value); break;
      case 'roll-timeout': t.database.rollTimeoutMs = positiveDuration(name, value); break;
      case 'roll-drain': t.database.rollDrainMs = parseDuration(name, value); break;
      case 'rebuild-timeout': t.database.rebuildTimeoutMs = positiveDuration(name, value); break;
      case 'backup-store-image':
        if (!/^[^\s]+$/.test(value)) throw new Error(`--backup-store-image: '${value}' is not an image reference`);
        flags.backupStoreImage = value;
        break;
      case 'agent-image':
        if (!/^[^\s]+$/.test(value)) throw new Error(`--agent-image: '${value}' is not an image reference`);
        flags.agentImage = value;
        break;
      case 'mysqld-exporter-image':
        if (value !== '' && !/^[^\s]+$/.test(value)) throw new Error(`--mysqld-exporter-image: '${value}' is not an image reference`);
        flags.exporterImage = value || undefined;
        break;
      case 'workers': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1) throw new Error(`--workers: '${value}' must be a positive integer`);
        flags.workers = n;
        break;
      }
      default: throw new Error(`unknown flag --${name}`);
    }
  }
  const l = t.lease;
  if (!(l.leaseDurationMs > l.renewDeadlineMs && l.renewDeadlineMs > l.retryPeriodMs)) {
    throw new Error('--leader-elect-lease-duration must exceed --leader-elect-renew-deadline, which must exceed --leader-elect-retry-period');
  }
  return flags;
}
