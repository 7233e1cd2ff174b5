/**
 * What the sandbox checks in a manifest before it starts anything: each WebStack passes the same
 * schema and rules as the API server (unknown fields refused, as `kubectl apply` refuses them), and
 * asks for nothing this machine cannot run. Pure: the facts about the host come in as arguments.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { formatValidationErrors, validateWebStack } from '../api/validate.js';
import { KIND, type WebStack } from '../api/types.js';

export interface HostFacts {
  /** A real MySQL `mysqld` is installed (Debian's `mysqld` is MariaDB's and doesn't count). */
  mysqld: boolean;
}

/** One `FILE: field: problem (fix)` line per problem; empty when the sandbox can run every stack. */
export function preflightProblems(file: string, objects: readonly KubernetesObject[], host: HostFacts): string[] {
  const problems: string[] = [];
  for (const obj of objects.filter((o) => o.kind === KIND)) {
    const where = `${file}: WebStack ${obj.metadata?.namespace === 'default' ? '' : `${obj.metadata?.namespace}/`}${obj.metadata?.name ?? ''}`;
    const errors = validateWebStack(obj);
    if (errors.length > 0) {
      problems.push(...formatValidationErrors(errors).split('\n').map((line) => `${where}: ${line}`));
      continue;
    }
    const engine = (obj as unknown as WebStack).spec.database?.engine ?? 'mysql';
    if (engine === 'mysql' && !host.mysqld) {
      problems.push(`${where}: spec.database.engine: is mysql (the default), and this machine has no MySQL mysqld to run it; `
        + 'set `database: {engine: mariadb}` to run the stack in the sandbox');
    }
  }
  return problems;
}

export interface TlsSecretRef { namespace: string; name: string; stack: string }

/**
 * The TLS Secrets the file's WebStacks name and the file doesn't hold: the sandbox starts from an
 * empty cluster, so nothing else could supply them.
 */
export function missingTlsSecrets(objects: readonly KubernetesObject[]): TlsSecretRef[] {
  const supplied = new Set(objects.filter((o) => o.kind === 'Secret').map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`));
  const wanted = new Map<string, TlsSecretRef>();
  for (const obj of objects.filter((o) => o.kind === KIND)) {
    const name = (obj as unknown as WebStack).spec.loadBalancer?.tls?.secretName;
    const namespace = obj.metadata?.namespace ?? 'default';
    const key = `${namespace}/${name}`;
    if (name && !supplied.has(key) && !wanted.has(key)) wanted.set(key, { namespace, name, stack: obj.metadata!.name! });
  }
  return [...wanted.values()];
}
