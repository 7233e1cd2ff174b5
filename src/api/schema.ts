/**
 * The WebStack schema: the one statement of every field's type, bound, default and cross-field
 * rule. The CRD (crd.ts) is generated from it and validate.ts walks it, so a bound lives here only.
 */
import { DEFAULTS } from './defaults.js';
import { names } from './labels.js';
import { ADMIN_USER, REPLICATION_USER } from '../render/credentials.js';
import type { CelRule, SchemaNode } from './schema-types.js';
import { conditionsSchema } from './condition-schema.js';
import { STORAGE_SIZE } from './storage-size.js';
import { backupSchema, restoreImmutable, restoreSchema } from './backup-schema.js';
import {
  BALANCE_ALGORITHMS, DATABASE_ENGINES, REPLICATION_MODES, SERVICE_TYPES,
  type AppSpec, type EnvVar, type WebStack, type WebStackSpec,
} from './types.js';

interface Pattern { pattern: string; patternMeans: string }

export const PATTERNS = {
  dnsLabel: {
    pattern: '^[a-z]([-a-z0-9]*[a-z0-9])?$',
    patternMeans: 'must be a DNS label: lowercase letters, digits and "-", starting with a letter and ending with a letter or digit',
  },
  dnsSubdomain: {
    pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
    patternMeans: 'must be a DNS subdomain: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit',
  },
  envName: {
    pattern: '^[-._a-zA-Z][-._a-zA-Z0-9]*$',
    patternMeans: 'must be an environment variable name: letters, digits, "_", "-" and ".", not starting with a digit',
  },
  configKey: {
    pattern: '^[-._a-zA-Z0-9]+$',
    patternMeans: 'must be a key of a Secret or ConfigMap: letters, digits, "-", "_" and "."',
  },
  quantity: {
    pattern: '^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$',
    patternMeans: 'must be a Kubernetes quantity such as 500m, 2 or 512Mi',
  },
  storageSize: STORAGE_SIZE,
  // haproxy.cfg carries the path unquoted: no spaces, quotes, "#", "\" or "$".
  httpPath: {
    pattern: '^/[-A-Za-z0-9._~%!&()*+,;=:@/?]*$',
    patternMeans: 'must be an HTTP path starting with "/", without spaces, quotes, "#", "\\" or "$"',
  },
  // Gateway API's Hostname: a DNS name, optionally with one leading "*." label.
  hostname: {
    pattern: '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
    patternMeans: 'must be a lowercase DNS name, optionally starting with "*."',
  },
  kind: { pattern: '^[A-Z][A-Za-z0-9]*$', patternMeans: 'must be a Kubernetes kind: letters and digits, starting with a capital letter' },
  image: { pattern: '^\\S+$', patternMeans: 'must be an image reference without spaces' },
  sqlIdentifier: {
    pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
    patternMeans: 'must be letters, digits and "_", not starting with a digit',
  },
} satisfies Record<string, Pattern>;

/** Kubernetes limit for a Service name, which `<stack>-<tier>` and `<stack>-mysql-replicas` are. */
export const MAX_SERVICE_NAME = 63;
/**
 * Longest WebStack name: the StatefulSet `<stack>-mysql` reappears in its pods' label
 * `controller-revision-hash=<statefulset>-<10-char hash>`, and label values stop at 63.
 */
export const MAX_STACK_NAME = 63 - 11 - (names.mysql('').length);
export const MAX_APPS = 16;
export const MAX_ENV = 64;

/** Variables the operator injects into every app container (DATABASE_HOST, DATABASE_PASSWORD...). */
export const RESERVED_ENV_PREFIX = 'DATABASE_';

// A tier named like one of the stack's own Services or Deployments would collide with it.
const TIER_SEPARATOR = names.app('', '');
export const RESERVED_APP_NAMES = [names.haproxy, names.mysql, names.primaryService, names.replicasService]
  .map((name) => name('').slice(TIER_SEPARATOR.length));

// `<stack>-mysql-<ordinal>`, spelled by labels.ts: the prefix after the stack name.
const POD_INFIX = names.mysqlPod('', 0).slice(0, -1);

/** The servers' own schemas: an app granted one of them could plant an administrator. Compared case-insensitively. */
export const RESERVED_DATABASE_NAMES = ['mysql', 'information_schema', 'performance_schema', 'sys'];
/**
 * Accounts the servers or the operator own (compared case-insensitively): the app user must not
 * be, or replace, one of them. The dotted and dashed ones already fail the pattern; they are
 * listed so the rule reads as the list it is.
 */
export const RESERVED_USER_NAMES = [
  'root', 'mariadb.sys', 'mysql.sys', 'mysql.session', 'mysql.infoschema', 'public', 'event_scheduler',
  ADMIN_USER, REPLICATION_USER,
];
const celList = (items: readonly string[]): string => `[${items.map((n) => `'${n}'`).join(', ')}]`;
const ORDINAL = /^(0|[1-9][0-9]?)$/;

const str = (maxLength: number, extra: Partial<SchemaNode> & Partial<Pattern> = {}): SchemaNode =>
  ({ type: 'string', maxLength, ...extra });
const int = (minimum: number, maximum: number, extra: Partial<SchemaNode> = {}): SchemaNode =>
  ({ type: 'integer', ...extra, minimum, maximum });
const bool = (extra: Partial<SchemaNode> = {}): SchemaNode => ({ type: 'boolean', ...extra });
const obj = (properties: Record<string, SchemaNode>, extra: Partial<SchemaNode> = {}): SchemaNode =>
  ({ type: 'object', ...extra, properties });
const stringMap = (description: string, value: SchemaNode, maxProperties: number): SchemaNode =>
  ({ type: 'object', description, maxProperties, additionalProperties: value });

const port = (description: string, dflt?: number): SchemaNode =>
  int(1, 65535, { description, ...(dflt === undefined ? {} : { default: dflt }) });

const quantityMap = (description: string) => stringMap(description, str(64, PATTERNS.quantity), 16);
const resources = (description: string) => obj(
  { requests: quantityMap('Minimum resources, e.g. {cpu: 100m, memory: 128Mi}.'), limits: quantityMap('Maximum resources.') },
  { description },
);

const keyRef = (description: string) => obj(
  { name: str(253, { ...PATTERNS.dnsSubdomain, minLength: 1 }), key: str(253, { ...PATTERNS.configKey, minLength: 1 }), optional: bool() },
  { description, required: ['name', 'key'] },
);

const d = DEFAULTS;
type DatabaseView = { replicas: number; primary?: string; replication: { mode: string } };

const VALUE_SOURCES = ['secretKeyRef', 'configMapKeyRef', 'fieldRef', 'resourceFieldRef'];

const envVar = obj({
  name: str(128, { ...PATTERNS.envName, minLength: 1 }),
  value: str(32768),
  valueFrom: obj({
    secretKeyRef: keyRef('A key of a Secret in the WebStack\'s namespace.'),
    configMapKeyRef: keyRef('A key of a ConfigMap in the WebStack\'s namespace.'),
    fieldRef: obj({ apiVersion: str(64), fieldPath: str(256, { minLength: 1 }) }, { required: ['fieldPath'] }),
    resourceFieldRef: obj(
      { containerName: str(63), resource: str(64, { minLength: 1 }), divisor: str(64, PATTERNS.quantity) },
      { required: ['resource'] },
    ),
  }, {
    'x-kubernetes-validations': [{
      rule: `${VALUE_SOURCES.map((key) => `(has(self.${key}) ? 1 : 0)`).join(' + ')} == 1`,
      message: `must set exactly one of ${VALUE_SOURCES.join(', ')}`,
      holds: (self) => VALUE_SOURCES.filter((key) => (self as Record<string, unknown>)[key] !== undefined).length === 1,
    }],
  }),
}, {
  required: ['name'],
  'x-kubernetes-validations': [
    {
      rule: `!self.name.startsWith('${RESERVED_ENV_PREFIX}')`,
      message: `${RESERVED_ENV_PREFIX}* variables are set by the operator and cannot be overridden`,
      fieldPath: '.name',
      holds: (self) => !(self as EnvVar).name.startsWith(RESERVED_ENV_PREFIX),
    },
    {
      rule: '!(has(self.value) && has(self.valueFrom))',
      message: 'value and valueFrom are mutually exclusive',
      holds: (self) => !((self as EnvVar).value !== undefined && (self as EnvVar).valueFrom !== undefined),
    },
  ],
});

const unique = (items: unknown, key: (item: never) => string): boolean => {
  const seen = (items as never[]).map(key);
  return new Set(seen).size === seen.length;
};

const app = obj({
  name: str(40, {
    description: `The tier's name; its Deployment and Service are called \`<stack>${TIER_SEPARATOR}<name>\`.`,
    ...PATTERNS.dnsLabel,
    minLength: 1,
    'x-kubernetes-validations': [{
      rule: `!(self in [${RESERVED_APP_NAMES.map((n) => `'${n}'`).join(', ')}])`,
      message: `must not be one of ${RESERVED_APP_NAMES.join(', ')}: the stack's own objects carry those names`,
      holds: (self) => !RESERVED_APP_NAMES.includes(self as string),
    }],
  }),
  image: str(512, { description: 'Container image of the app.', ...PATTERNS.image, minLength: 1 }),
  replicas: int(0, 100, { description: 'Pods of this tier.', default: d.app.replicas }),
  port: port('Port the app listens on (HTTP).', d.app.port),
  weight: int(0, 256, { description: 'HAProxy weight of each pod of this tier: a tier\'s share of traffic is its weight times its ready pods, relative to the other active tiers; 0 sends none.', default: d.app.weight }),
  backup: bool({ description: 'A passive tier: served only when no active pod is up.', default: d.app.backup }),
  env: {
    type: 'array',
    description: `Environment variables of the app container; ${RESERVED_ENV_PREFIX}* are injected by the operator.`,
    maxItems: MAX_ENV,
    items: envVar,
    'x-kubernetes-validations': [{
      rule: 'self.all(e, self.exists_one(f, f.name == e.name))',
      message: 'env names must be unique',
      holds: (self) => unique(self, (e: EnvVar) => e.name),
    }],
  },
  resources: resources('Resources of each app pod.'),
  healthPath: str(256, { description: 'Health check path of this tier; defaults to loadBalancer.healthCheck.path.', ...PATTERNS.httpPath }),
}, { required: ['name', 'image'] });

const gatewayParentRef = obj({
  name: str(253, { description: 'Name of the Gateway.', ...PATTERNS.dnsSubdomain, minLength: 1 }),
  namespace: str(63, { description: 'Namespace of the Gateway; the WebStack\'s by default.', ...PATTERNS.dnsLabel, minLength: 1 }),
  sectionName: str(253, { description: 'Listener of the Gateway, by name.', ...PATTERNS.dnsSubdomain, minLength: 1 }),
  port: port('Listener of the Gateway, by port.'),
}, { required: ['name'] });

const gateway = obj({
  parentRefs: { type: 'array', description: 'Gateways the route attaches to.', minItems: 1, maxItems: 32, items: gatewayParentRef },
  hostnames: {
    type: 'array',
    description: 'Host names the route answers; every one of the Gateway\'s when empty (HTTP only).',
    maxItems: 16,
    items: str(253, { ...PATTERNS.hostname, minLength: 1 }),
    'x-kubernetes-validations': [{
      rule: 'self.all(h, self.exists_one(g, g == h))',
      message: 'host names must be unique',
      holds: (self) => new Set(self as string[]).size === (self as string[]).length,
    }],
  },
}, {
  description: 'Publish HAProxy through Gateway API Gateways: an HTTPRoute, or a TLSRoute (passthrough) when tls is set.',
  required: ['parentRefs'],
});

/** A cert-manager issuer (Certificate spec.issuerRef) that signs one of the stack's certificates. */
function issuerRef(description: string) {
  return obj({
    name: str(253, { description: 'Name of the issuer.', ...PATTERNS.dnsSubdomain, minLength: 1 }),
    kind: str(63, { description: `Kind of the issuer; ${d.loadBalancer.tls.issuerRef.kind} by default (or ClusterIssuer).`, ...PATTERNS.kind, minLength: 1 }),
    group: str(253, { description: `API group of the issuer; ${d.loadBalancer.tls.issuerRef.group} by default.`, ...PATTERNS.dnsSubdomain, minLength: 1 }),
  }, { description, required: ['name'] });
}

const loadBalancer = obj({
  replicas: int(1, 20, { description: 'HAProxy pods; 2 or more avoid a single point of failure.', default: d.loadBalancer.replicas }),
  algorithm: { type: 'string', description: 'HAProxy balance algorithm.', enum: BALANCE_ALGORITHMS, default: d.loadBalancer.algorithm },
  image: str(512, { description: 'HAProxy image.', ...PATTERNS.image, minLength: 1, default: d.loadBalancer.image }),
  service: obj({
    // No schema default: it depends on loadBalancer.gateway (resolveSpec).
    type: {
      type: 'string',
      description: `Service type; ${d.loadBalancer.service.typeBehindGateway} when gateway is set, ${d.loadBalancer.service.type} otherwise.`,
      enum: SERVICE_TYPES,
    },
    port: port('Service port for HTTP.', d.loadBalancer.service.port),
    tlsPort: port('Service port for HTTPS, used when tls is set.', d.loadBalancer.service.tlsPort),
    loadBalancerSourceRanges: {
      type: 'array',
      description: 'Client CIDRs allowed to reach a LoadBalancer Service; empty allows all.',
      maxItems: 64,
      items: str(43, { minLength: 1 }),
    },
    annotations: stringMap('Annotations of the Service (cloud load balancer settings).', str(4096), 64),
  }, { description: 'The Service in front of HAProxy.', default: {} }),
  tls: obj({
    secretName: str(253, { description: 'A kubernetes.io/tls Secret in the WebStack\'s namespace.', ...PATTERNS.dnsSubdomain, minLength: 1 }),
    redirectHttp: bool({ description: 'Redirect HTTP to HTTPS.', default: d.loadBalancer.tls.redirectHttp }),
    hstsMaxAgeSeconds: int(0, 63072000, { description: 'Strict-Transport-Security max-age, in seconds.', default: d.loadBalancer.tls.hstsMaxAgeSeconds }),
    issuerRef: issuerRef('A cert-manager issuer: the operator makes a Certificate for gateway.hostnames, and cert-manager writes and renews secretName.'),
  }, { description: 'TLS termination at HAProxy.', required: ['secretName'] }),
  gateway,
  healthCheck: obj({
    path: str(256, { description: 'HTTP path HAProxy checks on each app pod.', ...PATTERNS.httpPath, default: d.loadBalancer.healthCheck.path }),
    intervalSeconds: int(1, 300, { description: 'Seconds between two checks of a pod.', default: d.loadBalancer.healthCheck.intervalSeconds }),
    fall: int(1, 10, { description: 'Failed checks before a pod is taken out.', default: d.loadBalancer.healthCheck.fall }),
    rise: int(1, 10, { description: 'Passed checks before a pod is put back.', default: d.loadBalancer.healthCheck.rise }),
  }, { description: 'How HAProxy checks app pods; a failed pod gets no traffic.', default: {} }),
  resources: resources('Resources of each HAProxy pod.'),
}, {
  description: 'HAProxy in front of the app tiers.',
  default: {},
  'x-kubernetes-validations': [{
    rule: `!has(self.tls) || (has(self.service) && has(self.service.port) ? self.service.port : ${d.loadBalancer.service.port}) != (has(self.service) && has(self.service.tlsPort) ? self.service.tlsPort : ${d.loadBalancer.service.tlsPort})`,
    message: 'service.port and service.tlsPort must differ when tls is set',
    fieldPath: '.service.tlsPort',
    holds: (self) => {
      const lb = self as { tls?: unknown; service: { port: number; tlsPort: number } };
      return lb.tls === undefined || lb.service.port !== lb.service.tlsPort;
    },
  }, {
    rule: '!has(self.gateway) || !has(self.tls) || (has(self.gateway.hostnames) && size(self.gateway.hostnames) > 0)',
    message: 'a TLSRoute routes by server name: gateway.hostnames must not be empty when tls is set',
    fieldPath: '.gateway.hostnames',
    holds: (self) => {
      const lb = self as { tls?: unknown; gateway?: { hostnames?: string[] } };
      return lb.gateway === undefined || lb.tls === undefined || (lb.gateway.hostnames ?? []).length > 0;
    },
  }, {
    rule: '!has(self.tls) || !has(self.tls.issuerRef) || (has(self.gateway) && has(self.gateway.hostnames) && size(self.gateway.hostnames) > 0)',
    message: 'the certificate cert-manager makes is for gateway.hostnames: set them when tls.issuerRef is set',
    fieldPath: '.tls.issuerRef',
    holds: (self) => {
      const lb = self as { tls?: { issuerRef?: unknown }; gateway?: { hostnames?: string[] } };
      return lb.tls?.issuerRef === undefined || (lb.gateway?.hostnames ?? []).length > 0;
    },
  }],
});

const database = obj({
  engine: {
    type: 'string',
    description: `Database server: ${DATABASE_ENGINES.join(' or ')}. Immutable.`,
    enum: DATABASE_ENGINES,
    default: d.database.engine,
    'x-kubernetes-validations': [{
      rule: 'self == oldSelf',
      message: 'engine is immutable: switching engines would lose the data',
      holds: (self, oldSelf) => self === oldSelf,
    }],
  },
  image: str(512, { description: `Server image; defaults to ${Object.values(d.database.images).join(' or ')} by engine.`, ...PATTERNS.image, minLength: 1 }),
  replicas: int(1, 9, { description: 'Database pods: one primary, the rest replicas.', default: d.database.replicas }),
  storage: obj({
    size: str(32, { description: 'Volume size of each database pod. Immutable.', ...PATTERNS.storageSize, default: d.database.storage.size }),
    storageClassName: str(253, { description: 'StorageClass of the volumes; the cluster default when unset. Immutable.', ...PATTERNS.dnsSubdomain }),
  }, {
    description: 'The PersistentVolumeClaim of each database pod.',
    default: {},
    'x-kubernetes-validations': [
      {
        rule: "(has(self.storageClassName) ? self.storageClassName : '') == (has(oldSelf.storageClassName) ? oldSelf.storageClassName : '')",
        message: "storageClassName is immutable: a StatefulSet's volumeClaimTemplates cannot change",
        fieldPath: '.storageClassName',
        holds: (self, oldSelf) =>
          ((self as { storageClassName?: string }).storageClassName ?? '') === ((oldSelf as { storageClassName?: string }).storageClassName ?? ''),
      },
      {
        rule: `(has(self.size) ? self.size : '${d.database.storage.size}') == (has(oldSelf.size) ? oldSelf.size : '${d.database.storage.size}')`,
        message: "size is immutable: a StatefulSet's volumeClaimTemplates cannot change (expand the PersistentVolumeClaims directly if their StorageClass allows it)",
        fieldPath: '.size',
        holds: (self, oldSelf) => (self as { size: string }).size === ((oldSelf as { size?: string }).size ?? d.database.storage.size),
      },
    ],
  }),
  replication: obj({
    mode: {
      type: 'string',
      description: 'semisync: a write is acknowledged once a replica has it (none lost on failover); async: faster, may lose the last writes.',
      enum: REPLICATION_MODES,
      default: d.database.replication.mode,
    },
    semiSyncTimeoutSeconds: int(1, d.database.replication.semiSyncTimeoutSeconds, {
      description: 'How long the primary waits for a replica\'s acknowledgement before falling back to async.',
      default: d.database.replication.semiSyncTimeoutSeconds,
    }),
  }, { description: 'How writes reach the replicas.', default: {} }),
  failover: obj({
    enabled: bool({ description: 'Promote a replica when the primary fails.', default: d.database.failover.enabled }),
    failureThresholdSeconds: int(1, 60, { description: 'How long the primary must be unreachable before failover.', default: d.database.failover.failureThresholdSeconds }),
  }, { description: 'Automatic promotion of a replica when the primary fails.', default: {} }),
  tls: obj({
    issuerRef: issuerRef(`A cert-manager issuer signs the servers' certificate instead of the stack's own CA: the operator makes a Certificate \`<stack>-mysql\` for the servers' names, and cert-manager writes and renews the Secret \`<stack>-mysql-tls\` (tls.crt, tls.key, ca.crt) that servers, replicas and apps read.`),
  }, { description: 'The database servers\' TLS, always on: every connection is encrypted and verified against the stack\'s CA.' }),
  primary: str(63, { description: `The primary pod (\`<stack>${POD_INFIX}<ordinal>\`); changing it requests a planned switchover.` }),
  databaseName: str(64, {
    description: 'The app database, the only one the app user is granted. Immutable.',
    ...PATTERNS.sqlIdentifier,
    minLength: 1,
    default: d.database.databaseName,
    'x-kubernetes-validations': [{
      rule: `!(self.lowerAscii() in ${celList(RESERVED_DATABASE_NAMES)})`,
      message: `must not be one of ${RESERVED_DATABASE_NAMES.join(', ')}: those are the server's own schemas`,
      holds: (self) => !RESERVED_DATABASE_NAMES.includes((self as string).toLowerCase()),
    }],
  }),
  user: str(32, {
    description: 'The app\'s database user. Immutable.',
    ...PATTERNS.sqlIdentifier,
    minLength: 1,
    default: d.database.user,
    'x-kubernetes-validations': [{
      rule: `!(self.lowerAscii() in ${celList(RESERVED_USER_NAMES)})`,
      message: `must not be one of ${RESERVED_USER_NAMES.join(', ')}: those accounts belong to the server or the operator`,
      holds: (self) => !RESERVED_USER_NAMES.includes((self as string).toLowerCase()),
    }],
  }),
  resources: resources('Resources of each database pod.'),
  backup: backupSchema,
  restore: restoreSchema,
}, {
  description: 'The MySQL/MariaDB StatefulSet: one primary, the rest replicas.',
  default: {},
  'x-kubernetes-validations': [
    restoreImmutable,
    ...(['databaseName', 'user'] as const).map((field): CelRule => ({
      rule: `(has(self.${field}) ? self.${field} : '${d.database[field]}') == (has(oldSelf.${field}) ? oldSelf.${field} : '${d.database[field]}')`,
      message: `${field} is immutable: the app's database and user are created once, when the database is set up`,
      fieldPath: `.${field}`,
      holds: (self, oldSelf) => ((self as Record<string, string | undefined>)[field] ?? d.database[field])
        === ((oldSelf as Record<string, string | undefined>)[field] ?? d.database[field]),
    })),
    {
      rule: `(has(self.replication) && has(self.replication.mode) ? self.replication.mode : '${d.database.replication.mode}') != 'semisync' || (has(self.replicas) ? self.replicas : ${d.database.replicas}) >= 2`,
      message: 'semisync replication needs at least 2 replicas (a lone primary has no replica to acknowledge writes); set replication.mode: async',
      fieldPath: '.replicas',
      holds: (self) => {
        const db = self as DatabaseView;
        return db.replication.mode !== 'semisync' || db.replicas >= 2;
      },
    },
  ],
});

const spec = obj({
  loadBalancer,
  apps: {
    type: 'array',
    description: 'App tiers, one Deployment each, behind HAProxy.',
    minItems: 1,
    maxItems: MAX_APPS,
    items: app,
    'x-kubernetes-validations': [
      {
        rule: 'self.all(a, self.exists_one(b, b.name == a.name))',
        message: 'app names must be unique',
        holds: (self) => unique(self, (a: AppSpec) => a.name),
      },
      {
        // An empty list already fails minItems; saying it has no active tier would be noise.
        rule: 'size(self) == 0 || self.exists(a, !has(a.backup) || !a.backup)',
        message: 'at least one app must not be a backup: backup tiers serve only while every active tier is down',
        holds: (self) => (self as AppSpec[]).length === 0 || (self as AppSpec[]).some((a) => !a.backup),
      },
    ],
  },
  database,
  networkPolicy: obj({
    enabled: bool({ description: 'NetworkPolicies: deny by default, allow only the stack\'s own paths.', default: d.networkPolicy.enabled }),
    // No schema default: the operator's namespace is a fact of the installation, not of the object.
    operatorNamespace: str(63, { description: `Namespace of the operator, whose operator pods may reach the database; ${d.networkPolicy.operatorNamespace} when unset.`, ...PATTERNS.dnsLabel }),
    statsFromNamespaces: {
      type: 'array',
      description: 'Namespaces (e.g. Prometheus\'s) allowed to reach HAProxy\'s stats and metrics port 8404 and the database pods\' mysqld-exporter port 9104; none when empty.',
      maxItems: 16,
      items: str(63, { ...PATTERNS.dnsLabel, minLength: 1 }),
    },
  }, { description: 'NetworkPolicies around the stack\'s pods.', default: {} }),
}, {
  description: 'The desired stack.',
  required: ['apps'],
  'x-kubernetes-validations': [{
    // HAProxy checks every server of its one backend with the same request, so tiers can't differ.
    rule: `self.apps.all(a, self.apps.all(b, (has(a.healthPath) ? a.healthPath : (has(self.loadBalancer) && has(self.loadBalancer.healthCheck) && has(self.loadBalancer.healthCheck.path) ? self.loadBalancer.healthCheck.path : '${d.loadBalancer.healthCheck.path}')) == (has(b.healthPath) ? b.healthPath : (has(self.loadBalancer) && has(self.loadBalancer.healthCheck) && has(self.loadBalancer.healthCheck.path) ? self.loadBalancer.healthCheck.path : '${d.loadBalancer.healthCheck.path}'))))`,
    message: 'every app tier must use the same health path (apps[].healthPath or loadBalancer.healthCheck.path): HAProxy checks all tiers with one request',
    fieldPath: '.apps',
    holds: (self) => {
      const s = self as WebStackSpec;
      const shared = s.loadBalancer?.healthCheck?.path ?? d.loadBalancer.healthCheck.path;
      const pathOf = (a: AppSpec): string => a.healthPath ?? shared;
      return s.apps.length === 0 || s.apps.every((a) => pathOf(a) === pathOf(s.apps[0]));
    },
  }],
});

const primaryOf = (ws: WebStack): { stack: string; primary: string } =>
  ({ stack: ws.metadata.name, primary: ws.spec.database?.primary ?? '' });
const ordinalOf = (ws: WebStack): string => {
  const { stack, primary } = primaryOf(ws);
  return primary.startsWith(stack + POD_INFIX) ? primary.slice(stack.length + POD_INFIX.length) : '';
};
const HAS_PRIMARY = "has(self.spec.database) && has(self.spec.database.primary) && self.spec.database.primary != ''";
const PRIMARY_IS_POD = `self.spec.database.primary.startsWith(self.metadata.name + '${POD_INFIX}') && self.spec.database.primary.substring(size(self.metadata.name) + ${POD_INFIX.length}).matches('${ORDINAL.source}')`;

const instance = obj({
  name: { type: 'string' },
  role: { type: 'string', enum: ['primary', 'replica', 'quarantined', 'fenced', 'unknown'] },
  ready: { type: 'boolean' },
  lagSeconds: { type: 'number' },
  gtidExecuted: { type: 'string' },
  errantGtids: { type: 'string' },
  message: { type: 'string' },
}, { required: ['name', 'role', 'ready'] });

// Status is written by the operator only; unknown fields are kept so that a newer operator's
// additions survive an older CRD.
const status = obj({
  observedGeneration: { type: 'integer', format: 'int64' },
  conditions: conditionsSchema('Ready, Progressing, Degraded... (metav1.Condition, kstatus-compatible).'),
  apps: {
    type: 'array',
    items: obj({ name: { type: 'string' }, replicas: { type: 'integer' }, readyReplicas: { type: 'integer' } }, { required: ['name'] }),
  },
  appsSummary: { type: 'string', description: 'Ready pods per tier, e.g. "web 3/3, standby 1/1".' },
  loadBalancer: obj({ address: { type: 'string' }, readyReplicas: { type: 'integer' } }, { 'x-kubernetes-preserve-unknown-fields': true }),
  database: obj({
    primary: { type: 'string' },
    instances: { type: 'array', items: instance },
    lastFailover: obj({
      from: { type: 'string' },
      to: { type: 'string' },
      reason: { type: 'string' },
      startedAt: { type: 'string', format: 'date-time' },
      durationMs: { type: 'integer' },
      kind: { type: 'string', enum: ['failover', 'switchover'] },
    }, { 'x-kubernetes-preserve-unknown-fields': true }),
    bootstrapped: { type: 'boolean' },
    exporterAccount: { type: 'boolean' },
    rebuild: obj({
      instance: { type: 'string' },
      donor: { type: 'string' },
      reason: { type: 'string' },
      startedAt: { type: 'string', format: 'date-time' },
      previous: { type: 'string', description: "The target's latest rebuild before this one, as its engine names it (MySQL: the last clone's begin time)." },
    }, { description: 'The instance being rebuilt from a physical copy of the donor (one at a time).' }),
    rebuildAttempts: {
      type: 'array',
      description: 'Rebuilds per instance so far; each further one waits twice as long (capped).',
      items: obj({
        instance: { type: 'string' },
        count: { type: 'integer' },
        lastStartedAt: { type: 'string', format: 'date-time' },
        lastError: { type: 'string' },
      }, { required: ['instance', 'count', 'lastStartedAt'] }),
    },
    errantTransactionsSaved: {
      type: 'array',
      description: 'Transactions of diverged instances, saved (GTIDs and binlog events) in a ConfigMap before their rebuilds.',
      items: obj({
        instance: { type: 'string' },
        gtids: { type: 'string' },
        configMap: { type: 'string' },
        savedAt: { type: 'string', format: 'date-time' },
      }, { required: ['instance', 'gtids', 'configMap', 'savedAt'] }),
    },
  }, { 'x-kubernetes-preserve-unknown-fields': true }),
}, { description: 'What the operator observed.', 'x-kubernetes-preserve-unknown-fields': true });

const rootRules: CelRule[] = [
  {
    rule: `!has(self.spec.apps) || self.spec.apps.all(a, size(self.metadata.name) + ${TIER_SEPARATOR.length} + size(a.name) <= ${MAX_SERVICE_NAME})`,
    message: `'<stack name>${TIER_SEPARATOR}<app name>' must be at most ${MAX_SERVICE_NAME} characters: it names the app's Deployment and Service`,
    fieldPath: '.spec.apps',
    holds: (self) => {
      const ws = self as WebStack;
      return ws.spec.apps.every((a) => names.app(ws.metadata.name, a.name).length <= MAX_SERVICE_NAME);
    },
  },
  {
    rule: `!(${HAS_PRIMARY}) || (${PRIMARY_IS_POD})`,
    message: `must name a database pod of this stack: '<stack name>${POD_INFIX}<ordinal>', or be empty`,
    fieldPath: '.spec.database.primary',
    holds: (self) => primaryOf(self as WebStack).primary === '' || ORDINAL.test(ordinalOf(self as WebStack)),
  },
  {
    rule: `!(${HAS_PRIMARY}) || !(${PRIMARY_IS_POD}) || int(self.spec.database.primary.substring(size(self.metadata.name) + ${POD_INFIX.length})) < (has(self.spec.database.replicas) ? self.spec.database.replicas : ${d.database.replicas})`,
    message: 'must name an existing database pod: its ordinal must be less than database.replicas',
    fieldPath: '.spec.database.primary',
    holds: (self) => {
      const ws = self as WebStack;
      const ordinal = ordinalOf(ws);
      return !ORDINAL.test(ordinal) || Number(ordinal) < (ws.spec.database as DatabaseView).replicas;
    },
  },
];

/** The whole WebStack object, as the CRD's openAPIV3Schema. */
export const webStackSchema: SchemaNode = {
  type: 'object',
  description: 'A primary-replica web stack: HAProxy, app tiers and a MySQL/MariaDB StatefulSet with failover.',
  required: ['spec'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    // The API server accepts restrictions on metadata.name only; every other ObjectMeta field stays.
    metadata: obj({ name: str(MAX_STACK_NAME, PATTERNS.dnsLabel) }, { keepsUnknownFields: true }),
    spec,
    status,
  },
  'x-kubernetes-validations': rootRules,
};
