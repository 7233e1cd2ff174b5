import { describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { BACKUP_CRD_SOURCE, CHART_BACKUP_CRD_TEMPLATE, CHART_CRD_TEMPLATE, CRD_SOURCE, MANIFESTS_DIR, MANIFESTS_NAMESPACE, chartCrdTemplate, renderManifests } from '../../scripts/generate-manifests.js';
import { CHART, findObject, helm, parseObjects, renderChart } from './chart.js';
import { validateKubeObject } from './kube-schema.js';

const manifestObjects = () => readdirSync(MANIFESTS_DIR).sort().flatMap((f) => parseObjects(readFileSync(`${MANIFESTS_DIR}/${f}`, 'utf8')));

describe('generated deploy files are in sync with their sources (npm run generate)', () => {
  it('the chart CRD templates carry crds/webstack.yaml and crds/webstackbackup.yaml', () => {
    expect(readFileSync(CHART_CRD_TEMPLATE, 'utf8')).toBe(chartCrdTemplate(readFileSync(CRD_SOURCE, 'utf8')));
    expect(readFileSync(CHART_BACKUP_CRD_TEMPLATE, 'utf8')).toBe(chartCrdTemplate(readFileSync(BACKUP_CRD_SOURCE, 'utf8'), BACKUP_CRD_SOURCE));
  });

  it.each([CRD_SOURCE, BACKUP_CRD_SOURCE])('the chart renders exactly the CRD of %s', (file) => {
    const source = parse(readFileSync(file, 'utf8')) as { metadata: { name: string }; spec: unknown };
    const { metadata, spec } = findObject(renderChart({ crds: { enabled: true, keep: false } }), 'CustomResourceDefinition', source.metadata.name);
    expect({ metadata, spec }).toEqual({ metadata: source.metadata, spec: source.spec });
  });

  it('deploy/manifests is what the chart renders', () => {
    const expected = renderManifests();
    expect(readdirSync(MANIFESTS_DIR).sort()).toEqual([...expected.keys()].sort());
    for (const [name, text] of expected) expect({ name, text: readFileSync(`${MANIFESTS_DIR}/${name}`, 'utf8') }).toEqual({ name, text });
  });

  it('keeps template-like text in the CRD literal (e.g. {{ in a CEL message)', () => {
    const source = parse(readFileSync(CRD_SOURCE, 'utf8')) as { metadata: { name: string; labels?: Record<string, string> }; spec: { versions: { schema: { openAPIV3Schema: { description?: string } } }[] } };
    source.metadata.labels = { 'example.com/owner': 'team-a' };
    source.spec.versions[0].schema.openAPIV3Schema.description = 'literal {{ .Values.crds.enabled }} and {{- "x" }}';
    const chart = mkdtempSync(path.join(os.tmpdir(), 'webstack-crd-chart-'));
    try {
      cpSync(CHART, chart, { recursive: true });
      writeFileSync(path.join(chart, 'templates/crd.yaml'), chartCrdTemplate(stringify(source)));
      const result = helm(['template', 'x', chart, '--set', 'crds.keep=false']);
      expect(result.stderr).toBe('');
      const crd = parseObjects(result.stdout).find((o) => o.kind === 'CustomResourceDefinition' && o.metadata.name === source.metadata.name) as unknown as typeof source;
      expect({ metadata: crd.metadata, spec: crd.spec }).toEqual({ metadata: source.metadata, spec: source.spec });
    } finally {
      rmSync(chart, { recursive: true, force: true });
    }
  });

  it('refuses a CRD source that is not a CRD, naming the file', () => {
    expect(() => chartCrdTemplate('kind: ConfigMap\nmetadata: {name: x}\n', 'crds/broken.yaml')).toThrow(/crds\/broken\.yaml/);
  });
});

describe('deploy/manifests for kubectl apply -f', () => {
  it('holds the namespace first, then the CRDs, then RBAC and the operator, all in webstack-system', () => {
    const objects = manifestObjects();
    expect(objects[0]).toMatchObject({ kind: 'Namespace', metadata: { name: MANIFESTS_NAMESPACE } });
    expect(objects.slice(1, 3).map((o) => `${o.kind}/${o.metadata.name}`).sort())
      .toEqual(['CustomResourceDefinition/webstackbackups.webstack.dev', 'CustomResourceDefinition/webstacks.webstack.dev']);
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Deployment', 'Service', 'PodDisruptionBudget']) expect(kinds).toContain(kind);
    const clusterScoped = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding']);
    for (const o of objects) {
      expect({ kind: o.kind, namespace: o.metadata.namespace }).toEqual({ kind: o.kind, namespace: clusterScoped.has(o.kind) ? undefined : MANIFESTS_NAMESPACE });
    }
  });

  it('every object is valid against the Kubernetes schemas', async () => {
    for (const o of manifestObjects()) await validateKubeObject(o);
  });
});
