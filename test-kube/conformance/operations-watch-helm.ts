/** Watch event sequences (plain, selector-filtered, watch-list) and helm 4's install, list and uninstall. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configMap, hookChart } from './manifests.js';
import { parsed, stableText } from './normalise.js';
import { kubectl, perform, type Operation, type Scope, type Step } from './operation.js';

interface WatchEvent { type: string; object: { metadata?: { name?: string; annotations?: Record<string, string> }; reason?: string } }

const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/** Event types and object names; for a bookmark only whether it marks the end of the initial events (its resourceVersion is opaque). */
function eventLine(e: WatchEvent): string {
  if (e.type === 'BOOKMARK') return e.object.metadata?.annotations?.[INITIAL_EVENTS_END] === 'true' ? 'BOOKMARK initial-events-end' : 'BOOKMARK';
  if (e.type === 'ERROR') return `ERROR ${e.object.reason ?? ''}`;
  return `${e.type} ${e.object.metadata?.name ?? ''}`;
}

const CONFIGMAPS = '/api/v1/namespaces/{ns}/configmaps';

async function listRv(scope: Scope): Promise<string> {
  const list = parsed((await perform({ http: { method: 'GET', path: CONFIGMAPS } }, scope)).stdout) as { metadata: { resourceVersion: string } };
  return list.metadata.resourceVersion;
}

function watchOp(name: string, query: (rv: string) => string, setup: Step[], during: Step[], done: (events: WatchEvent[]) => boolean): Operation {
  return {
    name,
    run: async (scope) => {
      for (const s of setup) await perform(s, scope);
      const rv = await listRv(scope);
      const events = (await scope.target.watch(
        `${CONFIGMAPS.replace('{ns}', scope.ns)}?watch=true&${query(rv)}`,
        async () => { for (const s of during) await perform(s, scope); },
        (es) => done(es as WatchEvent[]),
        5000,
      )) as WatchEvent[];
      // Periodic bookmarks come whenever the server likes; only the initial-events-end one is part of the contract.
      return events.map(eventLine).filter((l) => l !== 'BOOKMARK');
    },
  };
}

const lines = (events: WatchEvent[]): string[] => events.map(eventLine);

const writeChart = (dir: string): string => {
  const chart = path.join(dir, 'hooked');
  for (const [file, text] of Object.entries(hookChart)) {
    mkdirSync(path.dirname(path.join(chart, file)), { recursive: true });
    writeFileSync(path.join(chart, file), text);
  }
  return chart;
};

function helmOp(name: string, args: (chart: string) => string[], setup: (chart: string) => string[][] = () => []): Operation {
  return {
    name,
    run: async (scope) => {
      const chart = writeChart(scope.files);
      for (const s of setup(chart)) await perform({ helm: [...s, '-n', '{ns}'] }, scope);
      const o = await perform({ helm: [...args(chart), '-n', '{ns}'] }, scope);
      // helm prints its release time (LAST DEPLOYED) and chart path; neither is the server's answer.
      const out = stableText(o.stdout.replace(/^LAST DEPLOYED:.*$/m, '').replaceAll(chart, 'CHART').replace(/"updated":"[^"]*"/g, '"updated":"<time>"'));
      return { code: o.code, out, err: o.stderr.split('\n').filter((l) => l && !l.startsWith('level=')).join('\n') };
    },
  };
}

export const watchOperations: Operation[] = [
  watchOp('watch from a list: add, modify, delete', (rv) => `resourceVersion=${rv}`, [], [
    kubectl(['apply', '-f', '-'], configMap('a')),
    kubectl(['label', 'configmap/a', 'x=1']),
    kubectl(['delete', 'configmap/a']),
  ], (es) => es.some((e) => e.type === 'DELETED')),
  watchOp('watch with a label selector: leaving it is DELETED', (rv) => `resourceVersion=${rv}&labelSelector=conf%3Dyes`, [kubectl(['apply', '-f', '-'], configMap('a'))], [
    kubectl(['label', '--overwrite', 'configmap/a', 'conf=no']),
  ], (es) => es.some((e) => e.type === 'DELETED')),
  watchOp('watch-list: initial events then the initial-events-end bookmark', () => 'sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&labelSelector=conf%3Dyes', [
    kubectl(['apply', '-f', '-'], configMap('a')), kubectl(['apply', '-f', '-'], configMap('b')),
  ], [], (es) => lines(es).includes('BOOKMARK initial-events-end')),
  watchOp('watch without a resourceVersion: current objects as ADDED', () => 'labelSelector=conf%3Dyes', [kubectl(['apply', '-f', '-'], configMap('a'))], [], (es) => es.length >= 1),
];

const OPERATOR_CHART = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../deploy/helm/webstack-operator');

export const helmOperations: Operation[] = [
  // The release is named after the namespace: its ClusterRoles are cluster-wide. The CRD is left to the CRD operations.
  helmOp("helm install of the operator's chart", () => ['install', '{ns}', OPERATOR_CHART, '--set', 'crds.enabled=false']),
  helmOp('helm install --wait of a chart with a hook', (chart) => ['install', 'rel', chart, '--wait', '--timeout', '20s']),
  helmOp('helm list', () => ['list', '-o', 'json'], (chart) => [['install', 'rel', chart]]),
  helmOp('helm upgrade', (chart) => ['upgrade', 'rel', chart, '--set', 'x=1'], (chart) => [['install', 'rel', chart]]),
  helmOp('helm uninstall --wait', () => ['uninstall', 'rel', '--wait', '--timeout', '20s'], (chart) => [['install', 'rel', chart]]),
];
