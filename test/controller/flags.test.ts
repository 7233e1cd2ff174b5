import { describe, expect, it } from '@jest/globals';
import { parseDuration, parseRunFlags, type RunFlags } from '../../src/controller/flags.js';
import { DEFAULT_TIMINGS } from '../../src/timings.js';

function flags(argv: string[]): RunFlags {
  const f = parseRunFlags(argv);
  if (f === 'help') throw new Error('help');
  return f;
}

describe('run flags (the Helm chart contract)', () => {
  it('defaults', () => {
    const f = flags([]);
    expect(f).toEqual(expect.objectContaining({ namespaces: [], leaderElect: true, leaseName: 'webstack-operator-leader', metricsPort: 8080, healthPort: 8081 }));
    expect(f.timings.lease).toEqual({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
    expect(f.timings).toEqual(DEFAULT_TIMINGS);
  });

  it('the database timings a user may need', () => {
    const f = flags(['--database-probe-interval', '1s', '--database-connect-timeout=750ms', '--database-query-timeout', '3s',
      '--switchover-timeout=20s', '--restart-settle', '1m', '--resync-period=5m', '--roll-timeout', '10m', '--roll-drain=0s', '--rebuild-timeout', '30m']);
    expect(f.timings.database).toEqual({ ...DEFAULT_TIMINGS.database, probeIntervalMs: 1000, connectTimeoutMs: 750, queryTimeoutMs: 3000,
      switchoverTimeoutMs: 20_000, restartSettleMs: 60_000, rollTimeoutMs: 600_000, rollDrainMs: 0, rebuildTimeoutMs: 1_800_000 });
    expect(f.timings.resyncPeriodMs).toBe(300_000);
    expect(DEFAULT_TIMINGS.database.probeIntervalMs).toBe(500);
  });

  it('every chart flag, in both spellings', () => {
    const f = flags(['--kubeconfig', '/k', '--namespace=a,b', '--leader-elect=false', '--lease-namespace', 'ops', '--lease-name=l',
      '--metrics-port', '9090', '--health-port=9091', '--log-format', 'json']);
    expect(f).toEqual(expect.objectContaining({
      kubeconfig: '/k', namespaces: ['a', 'b'], leaderElect: false, leaseNamespace: 'ops', leaseName: 'l', metricsPort: 9090, healthPort: 9091, logFormat: 'json',
    }));
    expect(flags(['--leader-elect']).leaderElect).toBe(true);
  });

  it('runs no agent unless its image is named', () => {
    expect(flags([]).agentImage).toBeUndefined();
    expect(flags(['--agent-image', 'ghcr.io/webstack-dev/webstack-operator:0.1.0']).agentImage).toBe('ghcr.io/webstack-dev/webstack-operator:0.1.0');
    expect(() => flags(['--agent-image='])).toThrow(/--agent-image: '' is not an image reference/);
  });

  it('takes the backup stores\' image when told; --backup-dir is gone', () => {
    expect(flags([]).backupStoreImage).toBeUndefined();
    expect(flags(['--backup-store-image', 'webstack-operator:sandbox']).backupStoreImage).toBe('webstack-operator:sandbox');
    expect(() => flags(['--backup-store-image= x'])).toThrow(/--backup-store-image: ' x' is not an image reference/);
    expect(() => flags(['--backup-dir', '/backups'])).toThrow(/unknown flag --backup-dir/);
  });

  it('runs mysqld-exporter from a pinned image unless told another, or none', () => {
    expect(flags([]).exporterImage).toBe('prom/mysqld-exporter:v0.17.2');
    expect(flags(['--mysqld-exporter-image', 'registry.local/mysqld-exporter:v0.15.1']).exporterImage).toBe('registry.local/mysqld-exporter:v0.15.1');
    expect(flags(['--mysqld-exporter-image=']).exporterImage).toBeUndefined();
    expect(() => flags(['--mysqld-exporter-image=a b'])).toThrow(/--mysqld-exporter-image: 'a b' is not an image reference/);
  });

  it('listens on every interface unless an address is named', () => {
    expect(flags([]).bindAddress).toBe('');
    expect(flags(['--bind-address', '127.20.0.5']).bindAddress).toBe('127.20.0.5');
    expect(flags(['--bind-address=::1']).bindAddress).toBe('::1');
  });

  it.each([
    [['--metrics-port', 'x'], '--metrics-port'],
    [['--log-format', 'xml'], '--log-format'],
    [['--leader-elect=maybe'], '--leader-elect'],
    [['--bogus'], '--bogus'],
    [['--namespace'], '--namespace'],
    [['--bind-address', 'localhost'], '--bind-address'],
    [['--leader-elect-renew-deadline', '20s'], '--leader-elect-lease-duration'],
    [['--leader-elect-retry-period', 'soon'], '--leader-elect-retry-period'],
    [['--database-probe-interval', '0s'], '--database-probe-interval'],
    [['--switchover-timeout', 'later'], '--switchover-timeout'],
    [['--roll-timeout', '0s'], '--roll-timeout'],
    [['--rebuild-timeout', 'soon'], '--rebuild-timeout'],
  ])('%j is refused naming %s', (argv, name) => {
    expect(() => parseRunFlags(argv)).toThrow(name);
  });

  it.each([['15s', 15_000], ['500ms', 500], ['2m', 120_000], ['3', 3_000], ['1.5s', 1_500]])('duration %s = %i ms', (v, ms) => {
    expect(parseDuration('x', v)).toBe(ms);
  });
});
