#!/usr/bin/env node
/** kubectl-webstack: the kubectl plugin (`kubectl webstack ...`); reads KUBECONFIG like kubectl. */
import type { KubeConfig } from '@kubernetes/client-node';
import { BACKUP_KIND, BACKUP_PLURAL, type WebStackBackup } from '../api/backup-types.js';
import { ANNOTATION_FENCED_INSTANCES, LABEL_STACK } from '../api/labels.js';
import { API_VERSION, PLURAL, type WebStack } from '../api/types.js';
import { parseArgs, USAGE, type PluginCommand } from './args.js';
import { fenceChange, stackOfPod } from './fence.js';
import { statusTree } from './status-tree.js';

const [GROUP, VERSION] = API_VERSION.split('/');

/** What the API server said, without the request (no token or header ever printed). */
function apiError(err: unknown): Error {
  const e = err as { code?: number; body?: unknown; message?: string };
  if (typeof e.code !== 'number') return err instanceof Error ? err : new Error(String(err));
  const body = typeof e.body === 'string' ? (JSON.parse(e.body) as { message?: string }) : (e.body as { message?: string } | undefined);
  return new Error(body?.message ?? `the API server answered ${e.code}`);
}

async function run(cmd: Exclude<PluginCommand, { verb: 'help' }>, kc: KubeConfig): Promise<string> {
  // Loaded only for a command: usage errors answer at once.
  const { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } = await import('@kubernetes/client-node');
  const api = kc.makeApiClient(CustomObjectsApi);
  const namespace = cmd.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  if (cmd.verb === 'fence' || cmd.verb === 'unfence') {
    const stack = stackOfPod(await kc.makeApiClient(CoreV1Api).readNamespacedPod({ namespace, name: cmd.name }), cmd.name);
    if (stack instanceof Error) throw stack;
    const ws = await api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name: stack }) as WebStack;
    const change = fenceChange(ws, cmd.name, cmd.verb === 'fence');
    if (change instanceof Error) throw change;
    if (change.change) {
      // The resourceVersion makes a concurrent edit of the list fail (409) instead of being lost.
      const body = { metadata: { resourceVersion: ws.metadata.resourceVersion, annotations: { [ANNOTATION_FENCED_INSTANCES]: change.value } } };
      await api.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name: stack, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    }
    return `${change.message}\n`;
  }
  const ws = await api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name: cmd.name }) as WebStack;
  if (cmd.verb === 'status') {
    const list = await api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: BACKUP_PLURAL, labelSelector: `${LABEL_STACK}=${cmd.name}` }) as { items: WebStackBackup[] };
    return statusTree(ws, list.items.filter((b) => b.spec.stack === cmd.name));
  }
  if (cmd.verb === 'switchover') {
    const target = ws.status?.database?.instances?.find((i) => i.name === cmd.to);
    if (!target) throw new Error(`--to ${cmd.to}: no such database pod in ${namespace}/${cmd.name} (${(ws.status?.database?.instances ?? []).map((i) => i.name).join(', ') || 'none reported yet'})`);
    if (target.role === 'primary') throw new Error(`--to ${cmd.to}: it is the primary already`);
    if (target.role !== 'replica' || !target.ready) throw new Error(`--to ${cmd.to}: it is ${target.ready ? target.role : 'not ready'}; only a ready replica can be promoted`);
    await api.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name: cmd.name, body: { spec: { database: { primary: cmd.to } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    return `webstack ${namespace}/${cmd.name}: switchover to ${cmd.to} requested (kubectl webstack status ${cmd.name} shows it as the last switchover when done)\n`;
  }
  const name = `${cmd.name}-manual-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
  await api.createNamespacedCustomObject({
    group: GROUP, version: VERSION, namespace, plural: BACKUP_PLURAL,
    body: { apiVersion: API_VERSION, kind: BACKUP_KIND, metadata: { name, namespace, labels: { [LABEL_STACK]: cmd.name } }, spec: { stack: cmd.name } },
  });
  return `webstackbackup ${namespace}/${name} created\n`;
}

async function main(): Promise<number> {
  const cmd = parseArgs(process.argv.slice(2));
  if (cmd instanceof Error) {
    process.stderr.write(`error: ${cmd.message}\n${USAGE}\n`);
    return 2;
  }
  if (cmd.verb === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    kc.loadFromDefault();
    process.stdout.write(await run(cmd, kc));
    return 0;
  } catch (err) {
    process.stderr.write(`error: ${apiError(err).message}\n`);
    return 1;
  }
}

process.exitCode = await main();
