import { describe, expect, it } from '@jest/globals';
import { builtinErrors } from '../../../src/sandbox/apiserver/builtin-validation.js';

const deployment = (spec: Record<string, unknown>) => ({ metadata: { name: 'web' }, spec });
const template = (labels: Record<string, string>, containers: unknown[]) => ({ metadata: { labels }, spec: { containers } });
const errors = (group: string, kind: string, o: Record<string, unknown>) => builtinErrors(group, kind, o as never).map((e) => `${e.field}: ${e.detail}`);

describe('built-in validation', () => {
  it('accepts a well-formed Deployment (matchLabels and matchExpressions)', () => {
    expect(errors('apps', 'Deployment', deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web', tier: 'a' }, [{ name: 'web', image: 'web:1' }]) }))).toEqual([]);
    expect(errors('apps', 'StatefulSet', deployment({ selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }, template: template({ tier: 'b' }, [{ name: 'db', image: 'db:1' }]) }))).toEqual([]);
  });

  it.each<[string, string, string, Record<string, unknown>, string[]]>([
    ['selector must match the template', 'apps', 'Deployment', deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'api' }, [{ name: 'c', image: 'i' }]) }), ['spec.template.metadata.labels: Invalid value: {"app":"api"}: `selector` does not match template `labels`']],
    ['selector is required', 'apps', 'StatefulSet', deployment({ template: template({ a: 'b' }, [{ name: 'c', image: 'i' }]) }), ['spec.selector: Required value']],
    ['containers need a name and image, once', 'apps', 'Deployment', deployment({ selector: { matchLabels: { a: 'b' } }, template: template({ a: 'b' }, [{ name: 'c', image: 'i' }, { name: 'c' }]) }), ['spec.template.spec.containers[1].name: Duplicate value: "c"', 'spec.template.spec.containers[1].image: Required value']],
    ['a pod needs containers', '', 'Pod', { metadata: { name: 'p' }, spec: {} }, ['spec.containers: Required value']],
    ['service ports are named when several, and in range', '', 'Service', { metadata: { name: 's' }, spec: { ports: [{ port: 80 }, { port: 70000, name: 'x' }] } }, ['spec.ports[0].name: Required value', 'spec.ports[1].port: Invalid value: 70000: must be between 1 and 65535, inclusive']],
    ['a headless service may have no ports', '', 'Service', { metadata: { name: 's' }, spec: { clusterIP: 'None' } }, []],
    ['a PDB sets minAvailable or maxUnavailable, not both', 'policy', 'PodDisruptionBudget', { metadata: { name: 'p' }, spec: { minAvailable: 1, maxUnavailable: 1 } }, ['spec: Invalid value: "object": minAvailable and maxUnavailable cannot be both set']],
  ])('%s', (_name, group, kind, o, expected) => {
    expect(errors(group, kind, o)).toEqual(expected);
  });
});
