import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import {
  ARGOCD_BACKUP_HEALTH_KEY, ARGOCD_BACKUP_HEALTH_LUA, ARGOCD_CM, ARGOCD_HEALTH_KEY, ARGOCD_HEALTH_LUA, argocdConfigMap, ARGOCD_ACTIONS, ARGOCD_ACTIONS_DIR, ARGOCD_ACTIONS_KEY,
} from '../../scripts/generate-manifests.js';
import { LABEL_STACK } from '../../src/api/labels.js';
import { validateKubeObject, type KubeObject } from './kube-schema.js';
import { runActionScript, runHealthScript } from './lua.js';

const testdata = (name: string) => parse(readFileSync(`test/deploy/testdata/argocd/${name}.yaml`, 'utf8')) as KubeObject;

describe('Argo CD health check deploy/argocd/health.lua (real Lua 5.1)', () => {
  const cases: [string, string, string][] = [
    ['no-status', 'Progressing', 'Waiting for the operator to observe the WebStack'],
    ['stale-generation', 'Progressing', 'Waiting for the operator to observe generation 3'],
    ['observed-no-conditions', 'Progressing', 'Waiting for the WebStack to become Ready'],
    ['rolling-out', 'Progressing', 'waiting for web: 1/3 pods ready'],
    ['ready', 'Healthy', '2/2 haproxy, web 3/3, database primary shop-mysql-0 with 2 replicas'],
    ['invalid-spec', 'Degraded', 'spec.apps[0].name: "Web" is not a DNS label — use lower case\n(see docs)'],
    ['degraded', 'Degraded', 'no replica of shop-mysql-0 can be promoted: shop-mysql-1 has errant transactions'],
  ];
  it.each(cases)('%s -> %s', (name, status, message) => {
    expect(runHealthScript(ARGOCD_HEALTH_LUA, testdata(name))).toEqual({ status, message });
  });

  it('falls back to the reason when a failed Ready condition has no message', () => {
    const obj = testdata('invalid-spec') as unknown as { status: { conditions: { message: string }[] } };
    obj.status.conditions[0].message = '';
    expect(runHealthScript(ARGOCD_HEALTH_LUA, obj)).toEqual({ status: 'Degraded', message: 'InvalidSpec' });
  });

  it('passes strings to Lua byte for byte', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'webstack-lua-echo-'));
    try {
      const echo = path.join(dir, 'echo.lua');
      writeFileSync(echo, 'hs = {}\nhs.status = obj.list[2] .. tostring(obj.list[3])\nhs.message = obj.text\nreturn hs\n');
      const text = 'quote " backslash \\ newline \n tab-then-digit \t1 nul-then-digit \u00007 — ü';
      expect(runHealthScript(echo, { text, list: ['a', 'b', true] })).toEqual({ status: 'btrue', message: text });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Argo CD health check deploy/argocd/backup-health.lua (real Lua 5.1)', () => {
  const backup = (status?: object) => ({ apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStackBackup', metadata: { name: 'b1' }, spec: { stack: 'shop' }, status });
  it.each([
    ['no status', undefined, 'Progressing', 'Waiting for the operator to take the backup'],
    ['a retry pending', { phase: 'Pending', attempts: 1, message: 'attempt 1 failed, retrying: no database instance is ready' }, 'Progressing', 'attempt 1 failed, retrying: no database instance is ready'],
    ['running', { phase: 'Running', message: 'attempt 2' }, 'Progressing', 'attempt 2'],
    ['completed', { phase: 'Completed', size: 2048, location: 'ns/shop/backups/b1' }, 'Healthy', '2048 bytes at ns/shop/backups/b1'],
    ['failed', { phase: 'Failed', message: 'boom (gave up after 6 attempts)' }, 'Degraded', 'boom (gave up after 6 attempts)'],
  ])('%s', (_what, status, health, message) => {
    expect(runHealthScript(ARGOCD_BACKUP_HEALTH_LUA, backup(status))).toEqual({ status: health, message });
  });
});

describe('Argo CD actions deploy/argocd/actions (real Lua 5.1)', () => {
  const action = (name: string) => `${ARGOCD_ACTIONS_DIR}/${name}.lua`;
  const instance = (name: string, role: string, ready: boolean, lagSeconds?: number) => ({ name, role, ready, lagSeconds });
  const stack = (instances: object[]) => ({
    apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop', namespace: 'prod' },
    spec: { apps: [{ name: 'web' }], database: { replicas: 4 } },
    status: { database: { primary: 'shop-mysql-0', instances } },
  });
  const healthy = stack([instance('shop-mysql-0', 'primary', true), instance('shop-mysql-1', 'replica', true, 4),
    instance('shop-mysql-2', 'replica', false, 0), instance('shop-mysql-3', 'replica', true, 1)]);

  it('discovery: switchover only while a ready replica exists; backup always', () => {
    expect(runActionScript(action('discovery'), healthy)).toEqual({ switchover: { disabled: false }, backup: { disabled: false } });
    const alone = stack([instance('shop-mysql-0', 'primary', true), instance('shop-mysql-1', 'quarantined', true), instance('shop-mysql-2', 'replica', false)]);
    expect(runActionScript(action('discovery'), alone)).toEqual({ switchover: { disabled: true }, backup: { disabled: false } });
    expect(runActionScript(action('discovery'), { ...healthy, status: undefined })).toEqual({ switchover: { disabled: true }, backup: { disabled: false } });
  });

  it('switchover: sets spec.database.primary to the ready replica with the least lag, keeping the rest of the object', () => {
    const result = runActionScript(action('switchover'), healthy) as typeof healthy & { spec: { database: { primary: string } } };
    expect(result.spec.database).toEqual({ replicas: 4, primary: 'shop-mysql-3' });
    expect(result.metadata).toEqual(healthy.metadata);
    const noDatabaseSpec = { ...healthy, spec: { apps: [{ name: 'web' }] } };
    expect((runActionScript(action('switchover'), noDatabaseSpec) as { spec: unknown }).spec).toEqual({ apps: [{ name: 'web' }], database: { primary: 'shop-mysql-3' } });
  });

  it('switchover: refuses, saying why, when no replica is ready', () => {
    const alone = stack([instance('shop-mysql-0', 'primary', true), instance('shop-mysql-1', 'replica', false)]);
    expect(() => runActionScript(action('switchover'), alone)).toThrow(/no ready replica to switch over to/);
  });

  it('backup: creates a WebStackBackup of the stack, named and labelled like a scheduled one', () => {
    const before = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const [created] = runActionScript(action('backup'), healthy) as { operation: string; resource: { metadata: { name: string } } }[];
    const after = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
    expect(created).toEqual({
      operation: 'create',
      resource: { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStackBackup', metadata: { name: expect.stringMatching(/^shop-manual-\d{14}$/), namespace: 'prod', labels: { [LABEL_STACK]: 'shop' } }, spec: { stack: 'shop' } },
    });
    const stamp = created.resource.metadata.name.slice('shop-manual-'.length);
    expect(stamp >= before && stamp <= after).toBe(true);
  });

  it('argocd-cm.yaml carries the actions in Argo CD\'s format', () => {
    const cm = parse(readFileSync(ARGOCD_CM, 'utf8')) as { data: Record<string, string> };
    const actions = parse(cm.data[ARGOCD_ACTIONS_KEY]) as { 'discovery.lua': string; definitions: { name: string; 'action.lua': string }[] };
    expect(actions['discovery.lua']).toBe(readFileSync(action('discovery'), 'utf8'));
    expect(actions.definitions).toEqual(ARGOCD_ACTIONS.map((name) => ({ name, 'action.lua': readFileSync(action(name), 'utf8') })));
  });
});

describe('deploy/argocd manifests', () => {
  it('argocd-cm.yaml carries both health scripts unchanged under their kinds\' keys (npm run generate)', async () => {
    const text = readFileSync(ARGOCD_CM, 'utf8');
    expect(text).toBe(argocdConfigMap((file) => readFileSync(file, 'utf8')));
    const cm = parse(text) as KubeObject & { data: Record<string, string> };
    expect(cm.data[ARGOCD_HEALTH_KEY]).toBe(readFileSync(ARGOCD_HEALTH_LUA, 'utf8'));
    expect(cm.data[ARGOCD_BACKUP_HEALTH_KEY]).toBe(readFileSync(ARGOCD_BACKUP_HEALTH_LUA, 'utf8'));
    await validateKubeObject(cm);
  });

  it('the example Applications install the chart, then WebStacks, with server-side apply', () => {
    const apps = parseAllDocuments(readFileSync('deploy/argocd/application.yaml', 'utf8')).map((d) => d.toJS()) as {
      kind: string; metadata: { name: string; annotations: Record<string, string> };
      spec: { source: { path: string; helm?: { valuesObject: unknown }; directory?: { include: string } }; syncPolicy: { syncOptions: string[] } };
    }[];
    expect(apps.map((a) => a.kind)).toEqual(['Application', 'Application']);
    const [operator, stacks] = apps;
    expect(existsSync(`${operator.spec.source.path}/Chart.yaml`)).toBe(true);
    for (const app of apps) expect(app.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    expect(stacks.spec.syncPolicy.syncOptions).toContain('SkipDryRunOnMissingResource=true');
    expect(Number(operator.metadata.annotations['argocd.argoproj.io/sync-wave'])).toBeLessThan(Number(stacks.metadata.annotations['argocd.argoproj.io/sync-wave']));
    // The stacks' Application picks up WebStacks only (not the demo app's package.json).
    expect(stacks.spec.source.directory?.include).toBe('*.yaml');
    const picked = readdirSync(stacks.spec.source.path).filter((f) => f.endsWith('.yaml'));
    expect(picked.length).toBeGreaterThan(0);
    for (const f of picked) {
      for (const doc of parseAllDocuments(readFileSync(path.join(stacks.spec.source.path, f), 'utf8'))) expect((doc.toJS() as { kind: string }).kind).toBe('WebStack');
    }
  });
});
