import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { REFERENCE_END, REFERENCE_START, webStackReference, withReference } from '../../src/api/reference.js';
import { DEFAULTS } from '../../src/api/defaults.js';

describe('the WebStack reference in the README', () => {
  it('is what the generator writes from the schema', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toBe(withReference(readme));
  });

  it('lists fields with their defaults and bounds', () => {
    const text = webStackReference();
    expect(text).toContain(`| \`loadBalancer.replicas\` | integer | \`${DEFAULTS.loadBalancer.replicas}\` |`);
    expect(text).toContain('| `apps[].name` (required) | string |');
    expect(text).toMatch(/\| `apps\[\]\.weight` \| integer \| `100` \| .*\(0–256\) \|/);
    expect(text).toContain('| `database.engine` | mysql \\| mariadb | `"mysql"` |');
    expect(text).toContain('- app names must be unique');
  });

  it('refuses a README without the markers, naming them', () => {
    expect(() => withReference('# no markers')).toThrow(REFERENCE_START);
    expect(() => withReference(`${REFERENCE_END}\n${REFERENCE_START}`)).toThrow('README.md');
  });
});
