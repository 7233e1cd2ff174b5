import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { celCostErrors, comprehensionDepth } from '../../../src/sandbox/apiserver/cel-cost.js';
import { validateCrd } from '../../../src/sandbox/apiserver/crd.js';
import type { KubeObject } from '../../../src/sandbox/apiserver/types.js';

const words = (rule: string, bounded: boolean) => ({
  type: 'object',
  properties: { words: { type: 'array', items: { type: 'string' }, ...(bounded ? { maxItems: 16 } : {}) } },
  'x-kubernetes-validations': [{ rule }],
});

describe('CEL cost check on CRDs', () => {
  it.each([
    ['self.size() > 0', 0],
    ["self.all(x, x != '')", 1],
    ["self.all(e, self.exists_one(f, f.name == e.name))", 2],
    ["self.words.all(a, self.words.all(b, self.words.all(c, a + b + c != '')))", 3],
    ["self.all(x, x == '.all(')", 1],
  ])('%s nests %i comprehensions', (rule, depth) => {
    expect(comprehensionDepth(rule)).toBe(depth);
  });

  it('refuses nested comprehensions over unbounded collections, and accepts them once bounded', () => {
    const rule = 'self.words.all(a, self.words.all(b, a == b))';
    expect(celCostErrors(words(rule, false), 'spec.validation.openAPIV3Schema')).toEqual([{
      field: 'spec.validation.openAPIV3Schema.x-kubernetes-validations[0].rule',
      reason: 'FieldValueForbidden',
      detail: expect.stringContaining('estimated rule cost exceeds budget'),
    }]);
    expect(celCostErrors(words(rule, true), 'x')).toEqual([]);
    expect(celCostErrors(words("self.words.all(a, a != '')", false), 'x')).toEqual([]);
  });

  it.each(['webstack.yaml', 'webstackbackup.yaml'])("accepts this repository's CRD %s", (file) => {
    const crds = parseAllDocuments(readFileSync(new URL(`../../../crds/${file}`, import.meta.url), 'utf8')).map((d) => d.toJS() as KubeObject).filter(Boolean);
    expect(crds.length).toBe(1);
    expect(crds.flatMap(validateCrd)).toEqual([]);
  });
});
