import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import {
  ARGOCD_BACKUP_HEALTH_KEY, ARGOCD_BACKUP_HEALTH_LUA, ARGOCD_CM, ARGOCD_HEALTH_KEY, ARGOCD_HEALTH_LUA, argocdConfigMap,
} from '../../scripts/generate-manifests.js';
import { validateKubeObject, type KubeObject } from './kube-schema.js';
import { runHealthScript } from './lua.js';

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

describe('deploy/argocd manifests', () => {
  it('argocd-cm.yaml carries both health scripts unchanged under their kinds\' keys (npm run generate)', async () => {
    const text = readFileSync(ARGOCD_CM, 'utf8');
    expect(text).toBe(argocdConfigMap(readFileSync(ARGOCD_HEALTH_LUA, 'utf8'), readFileSync(ARGOCD_BACKUP_HEALTH_LUA, 'utf8')));
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
