/**
 * The differences between the in-memory API server and kube-apiserver that stay, each with its
 * reason, keyed `operation :: path` as the suite reports them. README.md ("The in-memory API
 * server against the real one") lists the same.
 */
const NO_TOKENS = 'no service-account tokens are minted here (no ServiceAccount admission, no TokenRequest): the sandbox runtime runs pods without a token volume';
const NO_AUTHORIZATION = 'no authentication or authorization here: every request is allowed, whoever it claims to be';
const NO_BUILTIN_SCHEMAS = 'OpenAPI schemas of built-in kinds are not modelled (CRDs carry theirs): kubectl explain works for custom resources only';

export const knownDifferences: Record<string, string> = {
  'create Pod (defaults, admission) :: object.spec.containers[0].volumeMounts': NO_TOKENS,
  'create Pod (defaults, admission) :: object.spec.volumes': NO_TOKENS,
  'create ConfigMap, Secret, ServiceAccount, PVC, PDB, NetworkPolicy, Lease :: object[3].metadata.finalizers':
    'no pvc-protection controller runs here to remove kubernetes.io/pvc-protection, so adding it would leave every deleted PVC Terminating',
  'kubectl auth can-i as a service account (denied) :: code': NO_AUTHORIZATION,
  'kubectl auth can-i as a service account (denied) :: out': NO_AUTHORIZATION,
  'kubectl explain deployment.spec.strategy :: code': NO_BUILTIN_SCHEMAS,
  'kubectl explain deployment.spec.strategy :: err': NO_BUILTIN_SCHEMAS,
  'kubectl explain deployment.spec.strategy :: out': NO_BUILTIN_SCHEMAS,
  '/openapi/v3 apps/v1 :: schema.properties': NO_BUILTIN_SCHEMAS,
  '/openapi/v3 api/v1 :: schema.properties': NO_BUILTIN_SCHEMAS,
  'aggregated discovery /apis :: kind': 'only the per-group discovery documents are served; kubectl, client-go and helm fall back to them when asked for aggregated discovery',
  'discovery /api/v1 :: resources.pods/binding': 'no scheduler here: the sandbox runtime places pods itself',
  'discovery /api/v1 :: resources.pods/eviction': 'no eviction API (PDB-checked deletion): kubectl drain is not supported against the in-memory server',
  'discovery /api/v1 :: resources.serviceaccounts/token': NO_TOKENS,
};
