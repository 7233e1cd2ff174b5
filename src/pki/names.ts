/** The names the database server certificate of a stack is for. */
import { names } from '../api/labels.js';

/**
 * Every instance through the headless Service (a wildcard per form of the name), and the primary
 * and replicas Services in each form a client in the cluster may use.
 */
export function databaseServerNames(stack: string, namespace: string, clusterDomain: string): string[] {
  const headless = names.mysqlHeadless(stack);
  const services = [names.primaryService(stack), names.replicasService(stack)];
  return [
    `*.${headless}.${namespace}.svc.${clusterDomain}`,
    `*.${headless}.${namespace}.svc`,
    ...services.flatMap((s) => [s, `${s}.${namespace}`, `${s}.${namespace}.svc`, `${s}.${namespace}.svc.${clusterDomain}`]),
  ];
}

