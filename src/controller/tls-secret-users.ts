/**
 * Which stacks use each TLS Secret they do not own (`spec.loadBalancer.tls.secretName`, and
 * `<stack>-mysql-tls` when cert-manager writes it for `spec.database.tls.issuerRef`), kept from the
 * WebStack events: a Secret's event wakes its stacks without a scan of every stack in the namespace.
 */
import { names } from '../api/labels.js';
import type { WebStack } from '../api/types.js';
import { stackKey } from './stack-keys.js';

export class TlsSecretUsers {
  /** "namespace/secret" to the keys of the stacks naming it. */
  private readonly users = new Map<string, Set<string>>();
  /** Stack key to the Secrets it uses. */
  private readonly named = new Map<string, string[]>();

  /** An added or updated WebStack. */
  set(ws: WebStack): void {
    const key = stackKey(ws.metadata.namespace, ws.metadata.name);
    const secrets = [
      ws.spec?.loadBalancer?.tls?.secretName,
      ws.spec?.database?.tls?.issuerRef ? names.mysqlTlsSecret(ws.metadata.name) : undefined,
    ].filter((s) => s !== undefined);
    this.drop(key);
    if (secrets.length === 0) return;
    const ats = secrets.map((secret) => `${ws.metadata.namespace ?? 'default'}/${secret}`);
    for (const at of ats) {
      let users = this.users.get(at);
      if (!users) this.users.set(at, users = new Set());
      users.add(key);
    }
    this.named.set(key, ats);
  }

  delete(ws: WebStack): void {
    this.drop(stackKey(ws.metadata.namespace, ws.metadata.name));
  }

  /** The keys of the stacks that name Secret `name` in `namespace`. */
  stacks(namespace: string | undefined, name: string): string[] {
    return [...(this.users.get(`${namespace ?? 'default'}/${name}`) ?? [])];
  }

  private drop(key: string): void {
    for (const at of this.named.get(key) ?? []) {
      const users = this.users.get(at)!;
      users.delete(key);
      if (users.size === 0) this.users.delete(at);
    }
    this.named.delete(key);
  }
}
