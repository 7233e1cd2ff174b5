/** The names the database server certificate of a stack is for. */
import { names } from '../api/labels.js';
import { EXPORTER_SERVER_HOST } from '../render/mysqld-exporter.js';

/**
 * Every instance through the headless Service (a wildcard per form of the name), the primary
 * and replicas Services in each form a client in the cluster may use, and `localhost`: the name the
 * mysqld-exporter beside each server dials (src/render/mysqld-exporter.ts). The stack's CA signs
 * nothing else, so the name vouches only for this stack's servers.
 */
export function databaseServerNames(stack: string, namespace: string, clusterDomain: string): string[] {
  const headless = names.mysqlHeadless(stack);
  const services = [names.primaryService(stack), names.replicasService(stack)];
  return [
    `*.${headless}.${namespace}.svc.${clusterDomain}`,
    `*.${headless}.${namespace}.svc`,
    ...services.flatMap((s) => [s, `${s}.${namespace}`, `${s}.${namespace}.svc`, `${s}.${namespace}.svc.${clusterDomain}`]),
    EXPORTER_SERVER_HOST,
  ];
}

