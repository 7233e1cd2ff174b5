/** Picks rendered objects by kind and name, typed loosely enough to walk into their specs. */
import type { KubeObject } from '../../src/render/object.js';

// Rendered objects are plain JSON; tests read into them by path.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export function find(objects: KubeObject[], kind: string, name: string): Loose {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found[0];
}

export function envOf(container: Loose): Record<string, Loose> {
  return Object.fromEntries((container.env as { name: string }[]).map((e) => [e.name, e]));
}
