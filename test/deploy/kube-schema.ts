/** Validates Kubernetes objects against the official OpenAPI schemas shipped in kubernetes-models. */

export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [key: string]: unknown };

type Model = { validate(): void };
type ModelClass = new (data: unknown) => Model;

function modulePath(apiVersion: string, kind: string): string {
  return apiVersion.includes('/') ? `kubernetes-models/${apiVersion}/${kind}` : `kubernetes-models/v1/${kind}`;
}

/** Throws an error naming the object and the failing field when `obj` is not a valid instance of its kind. */
export async function validateKubeObject(obj: KubeObject): Promise<void> {
  const where = `${obj.kind} ${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name}`;
  let model: ModelClass;
  try {
    model = (await import(modulePath(obj.apiVersion, obj.kind)))[obj.kind] as ModelClass;
  } catch {
    throw new Error(`${where}: no schema for ${obj.apiVersion} ${obj.kind}`);
  }
  try {
    new model(obj).validate();
  } catch (err) {
    throw new Error(`${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
