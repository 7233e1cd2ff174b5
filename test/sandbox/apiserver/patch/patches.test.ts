import { describe, expect, it } from '@jest/globals';
import { jsonPatch } from '../../../../src/sandbox/apiserver/patch/json-patch.js';
import { mergePatch } from '../../../../src/sandbox/apiserver/patch/merge-patch.js';
import { strategicMergePatch } from '../../../../src/sandbox/apiserver/patch/strategic-merge-patch.js';
import { shapeFor } from '../../../../src/sandbox/apiserver/shape.js';

describe('merge patch (RFC 7386)', () => {
  it('merges objects, deletes on null and replaces lists', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [3] })).toEqual({ a: 1, b: { d: 3, e: 4 }, l: [3] });
  });
});

describe('JSON patch (RFC 6902)', () => {
  const doc = { metadata: { labels: { a: 'x' }, finalizers: ['f1', 'f2'] } };
  it('applies add, replace, remove, move, copy and test', () => {
    const out = jsonPatch(doc, [
      { op: 'add', path: '/metadata/labels/b~1c', value: 'y' },
      { op: 'replace', path: '/metadata/labels/a', value: 'z' },
      { op: 'remove', path: '/metadata/finalizers/0' },
      { op: 'add', path: '/metadata/finalizers/-', value: 'f3' },
      { op: 'copy', from: '/metadata/labels/a', path: '/metadata/labels/copied' },
      { op: 'move', from: '/metadata/labels/copied', path: '/metadata/labels/moved' },
      { op: 'test', path: '/metadata/labels/moved', value: 'z' },
    ]);
    expect(out).toEqual({ metadata: { labels: { a: 'z', 'b/c': 'y', moved: 'z' }, finalizers: ['f2', 'f3'] } });
    expect(doc.metadata.labels).toEqual({ a: 'x' });
  });

  it('fails a test op and a missing path with 422', () => {
    expect(() => jsonPatch(doc, [{ op: 'test', path: '/metadata/labels/a', value: 'nope' }])).toThrow(/testing value/);
    expect(() => jsonPatch(doc, [{ op: 'remove', path: '/spec/x' }])).toThrow(expect.objectContaining({ code: 422 }));
  });
});

describe('strategic merge patch', () => {
  const builtin = shapeFor(undefined);
  const deployment = {
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'web', image: 'a:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }] },
            { name: 'side', image: 's:1' },
          ],
          volumes: [{ name: 'v1', emptyDir: {} }],
        },
      },
    },
    metadata: { finalizers: ['a'] },
  };

  it('merges containers and env by name, keeping items the patch does not mention', () => {
    const out = strategicMergePatch(deployment, { spec: { template: { spec: { containers: [{ name: 'web', image: 'a:2', env: [{ name: 'C', value: '3' }] }] } } } }, builtin) as typeof deployment;
    const web = out.spec.template.spec.containers[0];
    expect(web.image).toBe('a:2');
    expect(web.env?.map((e) => e.name)).toEqual(['A', 'B', 'C']);
    expect(out.spec.template.spec.containers[1].name).toBe('side');
  });

  it('honours $patch: delete on an item, $deleteFromPrimitiveList and $setElementOrder', () => {
    const out = strategicMergePatch(deployment, {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] },
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ name: 'side', $patch: 'delete' }] } } },
    }, builtin) as typeof deployment;
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(['web']);
    expect(out.metadata.finalizers).toEqual([]);
    expect(JSON.stringify(out)).not.toContain('$setElementOrder');
  });

  it('replaces a map with $patch: replace and lists without a merge key wholesale', () => {
    const out = strategicMergePatch({ spec: { selector: { a: '1', b: '2' }, args: ['x', 'y'] } }, { spec: { selector: { $patch: 'replace', c: '3' }, args: ['z'] } }, builtin);
    expect(out).toEqual({ spec: { selector: { c: '3' }, args: ['z'] } });
  });

  it('unions set-like lists (finalizers) and deletes fields set to null', () => {
    const out = strategicMergePatch({ metadata: { finalizers: ['a'], labels: { x: '1', y: '2' } } }, { metadata: { finalizers: ['b', 'a'], labels: { y: null } } }, builtin);
    expect(out).toEqual({ metadata: { finalizers: ['a', 'b'], labels: { x: '1' } } });
  });

  it('keeps only $retainKeys (how kubectl switches a union like a volume source)', () => {
    const out = strategicMergePatch({ volumes: [{ name: 'v', emptyDir: {}, x: 1 }] }, { volumes: [{ name: 'v', $retainKeys: ['name', 'secret'], secret: { secretName: 's' } }] }, builtin);
    expect(out).toEqual({ volumes: [{ name: 'v', secret: { secretName: 's' } }] });
  });

  it('merges service ports by port and container ports by containerPort', () => {
    const svc = strategicMergePatch({ spec: { ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https' }] } }, { spec: { ports: [{ port: 443, targetPort: 8443 }] } }, builtin);
    expect(svc).toEqual({ spec: { ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https', targetPort: 8443 }] } });
  });
});
