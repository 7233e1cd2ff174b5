import { describe, expect, it } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import { missingTlsSecrets, preflightProblems } from '../../src/sandbox/preflight.js';

const stack = (name: string, spec: Record<string, unknown>, namespace = 'default'): KubernetesObject =>
  ({ apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name, namespace }, spec } as KubernetesObject);
const mariadb = { engine: 'mariadb' };
const apps = [{ name: 'web', image: 'shop:1' }];

describe('preflightProblems', () => {
  it('passes a stack the sandbox can run', () => {
    expect(preflightProblems('f.yaml', [stack('shop', { apps, database: mariadb })], { mysqld: false })).toEqual([]);
  });

  it('refuses an unknown field, naming it, as kubectl apply does', () => {
    const typo = stack('shop', { apps: [{ name: 'web', image: 'shop:1', replica: 3 }], database: mariadb });
    expect(preflightProblems('f.yaml', [typo], { mysqld: false })).toEqual([
      expect.stringMatching(/^f\.yaml: WebStack shop: spec\.apps\[0\]\.replica: .*unknown field/),
    ]);
  });

  it('refuses engine mysql (also as the default) without a MySQL server, naming the field and the fix', () => {
    const [problem] = preflightProblems('f.yaml', [stack('shop', { apps })], { mysqld: false });
    expect(problem).toMatch(/^f\.yaml: WebStack shop: spec\.database\.engine: is mysql \(the default\)/);
    expect(problem).toContain('engine: mariadb');
    expect(preflightProblems('f.yaml', [stack('shop', { apps, database: { engine: 'mysql' } })], { mysqld: true })).toEqual([]);
  });

  it('reports only the schema problems of an invalid stack, and checks every stack', () => {
    const problems = preflightProblems('f.yaml', [stack('a', { apps, database: mariadb }), stack('b', { apps: [] })], { mysqld: false });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.startsWith('f.yaml: WebStack b: spec.apps'))).toBe(true);
  });
});

describe('missingTlsSecrets', () => {
  const tls = (secretName: string) => ({ apps, loadBalancer: { tls: { secretName } } });

  it('lists the TLS Secrets the file names but does not hold, once each', () => {
    const objects = [stack('a', tls('a-tls')), stack('b', tls('a-tls')), stack('c', tls('c-tls'), 'blog'), stack('d', { apps })];
    expect(missingTlsSecrets(objects)).toEqual([
      { namespace: 'default', name: 'a-tls', stack: 'a' },
      { namespace: 'blog', name: 'c-tls', stack: 'c' },
    ]);
  });

  it('leaves out a Secret the file supplies in the same namespace', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a-tls', namespace: 'default' } };
    expect(missingTlsSecrets([secret, stack('a', tls('a-tls')), stack('b', tls('a-tls'), 'other')])).toEqual([{ namespace: 'other', name: 'a-tls', stack: 'b' }]);
  });
});
