/**
 * Which stacks use each TLS Secret they do not own (`spec.loadBalancer.tls.secretName`, and
 * `<stack>-mysql-tls` when cert-manager writes it for `spec.database.tls.issuerRef`), kept from the
 * WebStack events: a Secret's event wakes its stacks without a scan of every stack in the namespace.
 */
import { names } from '../api/labels.js';
import type { WebStack } from '../api/types.js';
import { KeyedIndex } from '../kube/keyed-index.js';
import { stackKey } from './stack-keys.js';

export class TlsSecretUsers {
  /** "namespace/secret" to the keys of the stacks naming it. */
  private readonly index = new KeyedIndex<string>();

  /** An added or updated WebStack. */
  set(ws: WebStack): void {
    const key = stackKey(ws.metadata.namespace, ws.metadata.name);
    const secrets = [
      ws.spec?.loadBalancer?.tls?.secretName,
      ws.spec?.database?.tls?.issuerRef ? names.mysqlTlsSecret(ws.metadata.name) : undefined,
    ].filter((s) => s !== undefined);
    this.index.set(key, secrets.map((secret) => `${ws.metadata.namespace ?? 'default'}/${secret}`), key);
  }

  delete(ws: WebStack): void {
    this.index.delete(stackKey(ws.metadata.namespace, ws.metadata.name));
  }

  /** The keys of the stacks that name Secret `name` in `namespace`. */
  stacks(namespace: string | undefined, name: string): string[] {
    return this.index.get(`${namespace ?? 'default'}/${name}`);
  }
}
