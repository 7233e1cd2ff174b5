/** Writes the WebStack reference into README.md between its markers; a test fails when they differ. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withReference } from '../src/api/reference.js';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
writeFileSync(readme, withReference(readFileSync(readme, 'utf8')));
process.stdout.write('wrote the WebStack reference in README.md\n');
