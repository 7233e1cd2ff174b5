import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { LABEL_MANAGED_BY, LABEL_PART_OF, stackLabels } from '../../src/api/labels.js';
import { findObject, renderChart } from './chart.js';
import { EXPORTER_PORT_NAME } from '../../src/render/mysqld-exporter.js';

const monitoring = { prometheusRule: { enabled: true, backupMaxAgeSeconds: 93600 }, grafanaDashboard: { enabled: true }, podMonitor: { enabled: true } };

/** Runs the real promtool in a directory holding the rendered rules and the unit tests. */
function promtool(args: string[], rules: unknown): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webstack-promtool-'));
  try {
    writeFileSync(path.join(dir, 'rules.yaml'), stringify(rules));
    copyFileSync('test/deploy/testdata/prometheus/rules.test.yaml', path.join(dir, 'rules.test.yaml'));
    return execFileSync('promtool', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the chart\'s alerts, dashboard and PodMonitor', () => {
  const objects = renderChart(monitoring);
  const rule = findObject(objects, 'PrometheusRule') as unknown as { spec: { groups: { rules: { alert: string; expr: string }[] }[] } };

  it('renders none of them by default', () => {
    const kinds = renderChart().map((o) => o.kind);
    expect(kinds).not.toContain('PrometheusRule');
    expect(kinds).not.toContain('PodMonitor');
    expect(renderChart().filter((o) => o.kind === 'ConfigMap')).toEqual([]);
  });

  it('passes promtool check rules and its unit tests: series that fire every alert and series that must not', () => {
    expect(promtool(['check', 'rules', 'rules.yaml'], rule.spec)).toMatch(/SUCCESS: 9 rules found/);
    expect(promtool(['test', 'rules', 'rules.test.yaml'], rule.spec)).toMatch(/SUCCESS/);
  });

  it('fails promtool\'s unit tests when an alert would not fire', () => {
    const broken = structuredClone(rule.spec);
    const lag = broken.groups.flatMap((g) => g.rules).find((r) => r.alert === 'WebStackReplicaLag');
    lag!.expr = lag!.expr.replace('> 30', '> 3000');
    expect(() => promtool(['test', 'rules', 'rules.test.yaml'], broken)).toThrow(/WebStackReplicaLag/);
  });

  it('fails them when a rule reads only MariaDB\'s spelling (master/slave), not MySQL 8.4\'s (source/replica)', () => {
    const broken = structuredClone(rule.spec);
    const replicating = broken.groups.flatMap((g) => g.rules).find((r) => r.alert === 'WebStackReplicaNotReplicating')!;
    replicating.expr = replicating.expr.split(' or ').filter((term) => !term.includes('_replica_')).join(' or ');
    expect(replicating.expr).toBe('mysql_slave_status_slave_io_running{role="replica"} == 0 or mysql_slave_status_slave_sql_running{role="replica"} == 0');
    expect(() => promtool(['test', 'rules', 'rules.test.yaml'], broken)).toThrow(/WebStackReplicaNotReplicating/);
  });

  it('takes the backup age of stacks without a schedule from prometheusRule.backupMaxAgeSeconds', () => {
    const exprs = (findObject(renderChart({ prometheusRule: { enabled: true, backupMaxAgeSeconds: 3600 } }), 'PrometheusRule') as unknown as typeof rule)
      .spec.groups.flatMap((g) => g.rules).map((r) => r.expr);
    expect(exprs.find((e) => e.includes('webstack_backup_last_success_timestamp_seconds'))).toContain('time() - webstack_backup_last_success_timestamp_seconds > 3600\n');
  });

  it('a scheduled stack\'s backup alert follows its schedule: without the schedule series the test\'s 11 h old backup of a 6-hourly stack is not found', () => {
    const broken = structuredClone(rule.spec);
    const missing = broken.groups.flatMap((g) => g.rules).find((r) => r.alert === 'WebStackBackupMissing')!;
    missing.expr = missing.expr.split('\nor\n')[1];
    expect(() => promtool(['test', 'rules', 'rules.test.yaml'], broken)).toThrow(/WebStackBackupMissing/);
  });

  it('PodMonitor: selects the stacks\' pods by the operator\'s labels and labels series with the stack and role', () => {
    const monitor = findObject(objects, 'PodMonitor') as unknown as { spec: { selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: { port: string; relabelings: { targetLabel: string }[] }[] } };
    const labels = stackLabels('any', 'loadbalancer');
    expect(monitor.spec.selector.matchLabels).toEqual({ [LABEL_MANAGED_BY]: labels[LABEL_MANAGED_BY], [LABEL_PART_OF]: labels[LABEL_PART_OF] });
    // HAProxy's stats port and the database pods' mysqld-exporter.
    expect(monitor.spec.podMetricsEndpoints.map((e) => e.port)).toEqual(['stats', EXPORTER_PORT_NAME]);
    for (const endpoint of monitor.spec.podMetricsEndpoints) expect(endpoint.relabelings.map((r) => r.targetLabel)).toEqual(['name', 'role']);
  });

  it('Grafana dashboard: a ConfigMap for the dashboard sidecar whose queries promtool parses', () => {
    const map = findObject(objects, 'ConfigMap') as unknown as { metadata: { labels: Record<string, string> }; data: Record<string, string> };
    expect(map.metadata.labels.grafana_dashboard).toBe('1');
    const dashboard = JSON.parse(map.data['webstack.json']) as { uid: string; panels: { targets: { expr: string }[] }[] };
    expect(dashboard.uid).toBe('webstack');
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr.replaceAll('$namespace', 'prod').replaceAll('$stack', 'shop')));
    const asRules = { groups: [{ name: 'dashboard', rules: exprs.map((expr, i) => ({ record: `dashboard:panel${i}`, expr })) }] };
    expect(promtool(['check', 'rules', 'rules.yaml'], asRules)).toMatch(new RegExp(`SUCCESS: ${exprs.length} rules found`));
  });
});
