/** Writes crds/webstack.yaml and crds/webstackbackup.yaml from the schemas in src/api; a test fails when they differ. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BACKUP_CRD_FILE, webStackBackupCrdYaml } from '../src/api/backup-crd.js';
import { CRD_FILE, webStackCrdYaml } from '../src/api/crd.js';

for (const [file, text] of [[CRD_FILE, webStackCrdYaml()], [BACKUP_CRD_FILE, webStackBackupCrdYaml()]]) {
  writeFileSync(fileURLToPath(new URL(`../${file}`, import.meta.url)), text);
  process.stdout.write(`wrote ${file}\n`);
}
