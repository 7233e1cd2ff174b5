/** Writes crds/webstack.yaml from the schema in src/api; a test fails when the two differ. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CRD_FILE, webStackCrdYaml } from '../src/api/crd.js';

const target = fileURLToPath(new URL(`../${CRD_FILE}`, import.meta.url));
writeFileSync(target, webStackCrdYaml());
process.stdout.write(`wrote ${CRD_FILE}\n`);
