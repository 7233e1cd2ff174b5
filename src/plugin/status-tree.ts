/** `kubectl webstack status`: a WebStack and its backups drawn as a tree. Pure. */
import type { WebStackBackup } from '../api/backup-types.js';
import type { WebStack } from '../api/types.js';

interface Node { text: string; children?: Node[] }

function draw(node: Node, prefix: string, last: boolean, root: boolean): string[] {
  const lines = [root ? node.text : `${prefix}${last ? '└─ ' : '├─ '}${node.text}`];
  const childPrefix = root ? '' : `${prefix}${last ? '   ' : '│  '}`;
  const children = node.children ?? [];
  children.forEach((child, i) => lines.push(...draw(child, childPrefix, i === children.length - 1, false)));
  return lines;
}

/**
 * The stack's tiers, pods, primary, lag, a rebuild in progress and saved errant transactions, last
 * failover, backups (newest first, at most `maxBackups`) and conditions.
 */
export function statusTree(ws: WebStack, backups: readonly WebStackBackup[], maxBackups = 5): string {
  const status = ws.status ?? {};
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  const db = status.database;
  const lb = status.loadBalancer;
  const failover = db?.lastFailover;
  const sorted = [...backups].sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
  const tree: Node = {
    text: `WebStack ${ws.metadata.namespace}/${ws.metadata.name}: ${ready ? `Ready=${ready.status} (${ready.reason})` : 'not observed yet'}`,
    children: [
      { text: `loadBalancer: ${lb?.readyReplicas ?? 0} ready${lb?.address ? `, address ${lb.address}` : ''}` },
      { text: 'apps', children: (status.apps ?? []).map((a) => ({ text: `${a.name} ${a.readyReplicas}/${a.replicas} ready` })) },
      {
        text: `database: primary ${db?.primary ?? 'none'}`,
        children: [
          ...(db?.instances ?? []).map((i) => ({
            text: [i.name, i.role, i.ready ? 'ready' : 'not ready', i.lagSeconds !== undefined ? `lag ${i.lagSeconds}s` : '', i.message ?? ''].filter(Boolean).join('  '),
          })),
          ...(db?.rebuild ? [{ text: `rebuilding ${db.rebuild.instance} from ${db.rebuild.donor} since ${db.rebuild.startedAt} (${db.rebuild.reason})` }] : []),
          ...(db?.errantTransactionsSaved ?? []).map((e) => ({ text: `${e.instance}'s own transactions ${e.gtids} saved in ConfigMap ${e.configMap} at ${e.savedAt}` })),
        ],
      },
      { text: failover ? `last ${failover.kind ?? 'failover'}: ${failover.from} → ${failover.to} at ${failover.startedAt} in ${(failover.durationMs / 1000).toFixed(1)} s (${failover.reason})` : 'last failover: none' },
      {
        text: `backups: last success ${status.backup?.lastSuccessTime ?? 'never'}${status.backup?.recoverableFrom ? `, recoverable ${status.backup.recoverableFrom} .. ${status.backup.recoverableUntil ?? 'now'}` : ''}`,
        children: sorted.slice(0, maxBackups).map((b) => ({
          text: [b.metadata.name, b.status?.phase ?? 'Pending', b.status?.size !== undefined ? `${b.status.size} bytes` : '', b.status?.completionTime ?? ''].filter(Boolean).join('  '),
        })),
      },
      { text: 'conditions', children: (status.conditions ?? []).map((c) => ({ text: `${c.type}=${c.status} ${c.reason}${c.message ? `: ${c.message}` : ''}` })) },
    ],
  };
  return `${draw(tree, '', true, true).join('\n')}\n`;
}
