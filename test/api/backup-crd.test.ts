import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { BACKUP_CRD_FILE, webStackBackupCrd, webStackBackupCrdYaml } from '../../src/api/backup-crd.js';
import { applyDefaults, checkAgainstSchema, ruleErrors } from '../../src/api/schema-check.js';
import { webStackBackupSchema } from '../../src/api/backup-schema.js';

describe('crds/webstackbackup.yaml', () => {
  it('is what `npm run generate` writes from src/api (run it after changing the schema)', () => {
    expect(readFileSync(new URL(`../../${BACKUP_CRD_FILE}`, import.meta.url), 'utf8')).toBe(webStackBackupCrdYaml());
  });

  it('passes the official apiextensions.k8s.io/v1 schema, with the short name and printer columns', () => {
    const crd = webStackBackupCrd() as { spec: { names: { shortNames: string[] }; versions: { additionalPrinterColumns: { name: string }[] }[] } };
    expect(() => new CustomResourceDefinition(crd as never).validate()).not.toThrow();
    expect(crd.spec.names.shortNames).toEqual(['wsb']);
    expect(crd.spec.versions[0].additionalPrinterColumns.map((c) => c.name)).toEqual(['Stack', 'Phase', 'Size', 'Method', 'GTID', 'Completed', 'Age']);
  });

  it('names the field of a WebStackBackup without a stack, and refuses moving it to another stack', () => {
    const bad = checkAgainstSchema(webStackBackupSchema, applyDefaults(webStackBackupSchema, { metadata: { name: 'b' }, spec: {} }));
    expect(bad.errors.map((e) => e.field)).toEqual(['spec.stack']);
    const moved = checkAgainstSchema(webStackBackupSchema, { metadata: { name: 'b' }, spec: { stack: 'other' } }, { metadata: { name: 'b' }, spec: { stack: 'shop' } });
    expect(ruleErrors(moved.sites)).toEqual([{ field: 'spec.stack', message: 'stack is immutable' }]);
  });
});
