/** Rendered objects as multi-document YAML, the way `render` prints them and the golden files hold them. */
import { Document } from 'yaml';
import type { KubeObject } from './object.js';

/** `secretComment`, when given, is written above each Secret. */
export function objectsToYaml(objects: readonly KubeObject[], secretComment?: string): string {
  return objects.map((object) => {
    // Shared sub-objects are written out in full: anchors and aliases would only puzzle a reader.
    const doc = new Document(object, { aliasDuplicateObjects: false });
    if (secretComment && object.kind === 'Secret') doc.commentBefore = secretComment;
    return doc.toString({ lineWidth: 0 });
  }).join('---\n');
}
