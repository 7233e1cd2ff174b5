/**
 * Which stacks name each TLS Secret (`spec.loadBalancer.tls.secretName`), kept from the WebStack
 * events: a Secret's event wakes its stacks without a scan of every stack in the namespace.
 */
import type { WebStack } from '../api/types.js';
import { stackKey } from './stack-keys.js';

export class TlsSecretUsers {
  /** "namespace/secret" to the keys of the stacks naming it. */
  private readonly users = new Map<string, Set<string>>();
  /** Stack key to the Secret it names. */
  private readonly named = new Map<string, string>();

  /** An added or updated WebStack. */
  set(ws: WebStack): void {
    const key = stackKey(ws.metadata.namespace, ws.metadata.name);
    const secret = ws.spec?.loadBalancer?.tls?.secretName;
    this.drop(key);
    if (!secret) return;
    const at = `${ws.metadata.namespace ?? 'default'}/${secret}`;
    let users = this.users.get(at);
    if (!users) this.users.set(at, users = new Set());
    users.add(key);
    this.named.set(key, at);
  }

  delete(ws: WebStack): void {
    this.drop(stackKey(ws.metadata.namespace, ws.metadata.name));
  }

  /** The keys of the stacks that name Secret `name` in `namespace`. */
  stacks(namespace: string | undefined, name: string): string[] {
    return [...(this.users.get(`${namespace ?? 'default'}/${name}`) ?? [])];
  }

  private drop(key: string): void {
    const at = this.named.get(key);
    if (at === undefined) return;
    const users = this.users.get(at)!;
    users.delete(key);
    if (users.size === 0) this.users.delete(at);
    this.named.delete(key);
  }
}
