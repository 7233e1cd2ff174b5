import { describe, expect, it } from '@jest/globals';
import type { WebStack } from '../../src/api/types.js';
import { TlsSecretUsers } from '../../src/controller/tls-secret-users.js';

const stack = (namespace: string, name: string, secretName?: string): WebStack => ({
  apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name, namespace },
  spec: { apps: [{ name: 'web', image: 'web:1' }], ...(secretName ? { loadBalancer: { tls: { secretName } } } : {}) },
});

describe('TlsSecretUsers', () => {
  it('names the stacks of a namespace that name a Secret', () => {
    const users = new TlsSecretUsers();
    users.set(stack('a', 'shop', 'cert'));
    users.set(stack('a', 'blog', 'cert'));
    users.set(stack('b', 'shop', 'cert'));
    users.set(stack('a', 'plain'));
    expect(users.stacks('a', 'cert').sort()).toEqual(['a/blog', 'a/shop']);
    expect(users.stacks('b', 'cert')).toEqual(['b/shop']);
    expect(users.stacks('a', 'other')).toEqual([]);
  });

  it('follows a stack that names another Secret, none, or is deleted', () => {
    const users = new TlsSecretUsers();
    users.set(stack('a', 'shop', 'cert'));
    users.set(stack('a', 'shop', 'renewed'));
    expect(users.stacks('a', 'cert')).toEqual([]);
    expect(users.stacks('a', 'renewed')).toEqual(['a/shop']);
    users.set(stack('a', 'shop'));
    expect(users.stacks('a', 'renewed')).toEqual([]);
    users.set(stack('a', 'shop', 'cert'));
    users.delete(stack('a', 'shop', 'cert'));
    expect(users.stacks('a', 'cert')).toEqual([]);
  });

  it('with database.tls.issuerRef, the database TLS Secret cert-manager writes wakes its stack too', () => {
    const users = new TlsSecretUsers();
    const withIssuer = (secretName?: string): WebStack => {
      const ws = stack('a', 'shop', secretName);
      return { ...ws, spec: { ...ws.spec, database: { tls: { issuerRef: { name: 'db-ca' } } } } };
    };
    users.set(withIssuer('cert'));
    expect(users.stacks('a', 'shop-mysql-tls')).toEqual(['a/shop']);
    expect(users.stacks('a', 'cert')).toEqual(['a/shop']);
    users.set(withIssuer());
    expect(users.stacks('a', 'cert')).toEqual([]);
    expect(users.stacks('a', 'shop-mysql-tls')).toEqual(['a/shop']);
    // Without the issuer the operator writes it, and owns it: its events reach the stack as an owned object's.
    users.set(stack('a', 'shop'));
    expect(users.stacks('a', 'shop-mysql-tls')).toEqual([]);
  });
});
