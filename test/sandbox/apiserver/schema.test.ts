import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { applyDefaults, prune, validate } from '../../../src/sandbox/apiserver/schema.js';
import type { JsonObject } from '../../../src/sandbox/apiserver/types.js';

const crd = parse(readFileSync(new URL('./fixtures/widget-crd.yaml', import.meta.url), 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: JsonObject } }[] } };
const schema = crd.spec.versions[0].schema.openAPIV3Schema;

const widget = (spec: Record<string, unknown>): JsonObject => ({ apiVersion: 'test.webstack.dev/v1', kind: 'Widget', metadata: { name: 'w', anything: 'kept' }, spec });

function admit(obj: JsonObject, old?: JsonObject) {
  const unknown = prune(obj, schema);
  applyDefaults(obj, schema);
  return { unknown, errors: validate(obj, schema, old) };
}

describe('structural schema', () => {
  it('prunes undeclared fields (not metadata) and reports their paths', () => {
    const obj = widget({ color: 'red', bogus: 1, parts: [{ name: 'a', nope: true }], extra: { free: { form: 1 } } });
    const { unknown, errors } = admit(obj);
    expect(unknown).toEqual(['spec.bogus', 'spec.parts[0].nope']);
    expect(errors).toEqual([]);
    expect((obj.metadata as JsonObject).anything).toBe('kept');
    expect((obj.spec as JsonObject).extra).toEqual({ free: { form: 1 } });
  });

  it('applies defaults, including inside list items', () => {
    const obj = widget({ color: 'red', parts: [{ name: 'a' }] });
    admit(obj);
    expect(obj.spec).toEqual({ color: 'red', size: 1, parts: [{ name: 'a', count: 1 }] });
  });

  it.each([
    [{ color: 'red', size: 0 }, 'spec.size', 'FieldValueInvalid', 'Invalid value: 0: spec.size in body should be greater than or equal to 1'],
    [{ color: 'pink' }, 'spec.color', 'FieldValueNotSupported', 'Unsupported value: "pink": supported values: "red", "green", "blue"'],
    [{}, 'spec.color', 'FieldValueRequired', 'Required value'],
    [{ color: 'red', size: 'big' }, 'spec.size', 'FieldValueInvalid', 'Invalid value: "string": spec.size in body must be of type integer: "big"'],
    [{ color: 'red', name: 'ABC' }, 'spec.name', 'FieldValueInvalid', "Invalid value: \"ABC\": spec.name in body should match '^[a-z]+$'"],
    [{ color: 'red', name: 'abcdefghijkl' }, 'spec.name', 'FieldValueTooLong', 'Too long: may not be more than 10 bytes'],
    [{ color: 'red', parts: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }] }, 'spec.parts', 'FieldValueTooMany', 'Too many: 4: must have at most 3 items'],
    [{ color: 'red', parts: [{ name: 'a' }, { name: 'a' }] }, 'spec.parts[1]', 'FieldValueDuplicate', 'Duplicate value: {"name":"a"}'],
    [{ color: 'red', tags: ['x', 'x'] }, 'spec.tags[1]', 'FieldValueDuplicate', 'Duplicate value: "x"'],
    [{ color: 'red', size: 5, maxSize: 3 }, 'spec.size', 'FieldValueInvalid', 'Invalid value: "object": size must not exceed maxSize'],
  ])('rejects %j at %s (%s)', (spec, field, reason, detail) => {
    expect(admit(widget(spec)).errors).toContainEqual({ field, reason, detail });
  });

  it('evaluates transition rules only on update, against the old object', () => {
    expect(admit(widget({ color: 'red' })).errors).toEqual([]);
    const old = widget({ color: 'red', size: 1 });
    expect(admit(widget({ color: 'blue' }), old).errors).toEqual([
      { field: 'spec', reason: 'FieldValueInvalid', detail: 'Invalid value: "object": color is immutable' },
    ]);
    expect(admit(widget({ color: 'red', size: 2 }), old).errors).toEqual([]);
  });

  it('words the failure with messageExpression when given', () => {
    const s: JsonObject = { type: 'object', properties: { n: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.n < 3', messageExpression: "'n is ' + string(self.n) + ', want less than 3'" }] };
    expect(validate({ n: 5 }, s)).toEqual([{ field: '<root>', reason: 'FieldValueInvalid', detail: 'Invalid value: "object": n is 5, want less than 3' }]);
  });

  it('skips a rule it cannot evaluate instead of rejecting', () => {
    const s: JsonObject = { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.undefinedFunction(1) ==' }, { rule: 'self.missing.deep == 1' }] };
    expect(validate({ a: 1 }, s)).toEqual([]);
  });
});
