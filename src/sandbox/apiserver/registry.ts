/** Which resources are served: the built-ins plus one entry per served version of each established CRD. */
import { builtinTypes } from './builtins.js';
import type { PrinterColumn, ResourceType } from './resource-type.js';
import { isObject, type JsonObject, type KubeObject } from './types.js';

export class Registry {
  private readonly types: ResourceType[] = builtinTypes();

  all(): ResourceType[] {
    return this.types;
  }

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  /** The type of a kind in a given apiVersion (used for owner references and apply bodies). */
  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return this.types.find((t) => t.group === group && t.version === version && t.kind === kind);
  }

  /** Any served version of a group's resource: the store is shared between versions. */
  anyVersion(group: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.plural === plural);
  }

  /** Serves (or stops serving, when crd is undefined) the versions of one CRD. */
  setCrd(name: string, crd: KubeObject | undefined): void {
    for (let i = this.types.length - 1; i >= 0; i--) if (this.types[i].crd === name) this.types.splice(i, 1);
    if (crd) this.types.push(...typesFromCrd(crd));
  }
}

export function typesFromCrd(crd: KubeObject): ResourceType[] {
  const spec = (crd.spec ?? {}) as JsonObject;
  const names = (spec.names ?? {}) as JsonObject;
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isObject) : [];
  const plural = String(names.plural ?? '');
  const kind = String(names.kind ?? '');
  return versions
    .filter((v) => v.served !== false)
    .map((v) => {
      const subresources = (v.subresources ?? {}) as JsonObject;
      const schemaHolder = (v.schema ?? {}) as JsonObject;
      const status = isObject(subresources.status);
      const scale = isObject(subresources.scale) ? subresources.scale : undefined;
      return {
        group: String(spec.group ?? ''),
        version: String(v.name ?? ''),
        kind,
        listKind: String(names.listKind ?? `${kind}List`),
        plural,
        singular: String(names.singular ?? kind.toLowerCase()),
        namespaced: spec.scope !== 'Cluster',
        shortNames: Array.isArray(names.shortNames) ? names.shortNames.map(String) : [],
        categories: Array.isArray(names.categories) ? names.categories.map(String) : [],
        statusSubresource: status,
        hasGeneration: true,
        ...(scale
          ? { scale: { specReplicasPath: String(scale.specReplicasPath ?? ''), statusReplicasPath: String(scale.statusReplicasPath ?? ''), ...(scale.labelSelectorPath ? { labelSelectorPath: String(scale.labelSelectorPath) } : {}) } }
          : {}),
        schema: isObject(schemaHolder.openAPIV3Schema) ? schemaHolder.openAPIV3Schema : undefined,
        printerColumns: Array.isArray(v.additionalPrinterColumns)
          ? (v.additionalPrinterColumns.filter(isObject) as unknown as PrinterColumn[])
          : [],
        selectableFields: Array.isArray(v.selectableFields)
          ? v.selectableFields.filter(isObject).map((f) => String(f.jsonPath ?? '').replace(/^\./, ''))
          : [],
        crd: crd.metadata.name,
      };
    });
}
