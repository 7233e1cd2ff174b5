/** WebStack inputs shared by the validation and CEL tests: good ones, and bad ones with the errors they must give. */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function minimal(): Json {
  return {
    apiVersion: 'webstack.dev/v1alpha1',
    kind: 'WebStack',
    metadata: { name: 'shop', namespace: 'default' },
    spec: { apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4' }] },
  };
}

/** The stack of DESIGN.md with every section set. */
export function full(): Json {
  return {
    apiVersion: 'webstack.dev/v1alpha1',
    kind: 'WebStack',
    metadata: { name: 'shop', namespace: 'prod', labels: { team: 'web' }, generation: 3 },
    spec: {
      loadBalancer: {
        replicas: 3,
        algorithm: 'leastconn',
        image: 'haproxy:3.2',
        service: {
          type: 'LoadBalancer', port: 80, tlsPort: 443,
          loadBalancerSourceRanges: ['203.0.113.0/24', '2001:db8::/32'],
          annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' },
        },
        tls: { secretName: 'shop-tls', redirectHttp: true, hstsMaxAgeSeconds: 0 },
        healthCheck: { path: '/healthz?full=1', intervalSeconds: 5, fall: 2, rise: 1 },
        resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
      },
      apps: [
        {
          name: 'web', image: 'ghcr.io/acme/shop:1.4', replicas: 3, port: 8080, weight: 200, healthPath: '/healthz?full=1',
          env: [
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'shop-api', key: 'key' } } },
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          ],
        },
        { name: 'canary', image: 'ghcr.io/acme/shop:1.5', replicas: 1, weight: 0 },
        { name: 'standby', image: 'ghcr.io/acme/shop:1.3', replicas: 0, backup: true },
      ],
      database: {
        engine: 'mariadb', replicas: 3, primary: 'shop-mysql-2',
        storage: { size: '20Gi', storageClassName: 'fast-ssd' },
        replication: { mode: 'semisync', semiSyncTimeoutSeconds: 3600 },
        failover: { enabled: true, failureThresholdSeconds: 5 },
        databaseName: 'shop', user: 'shop_app',
      },
      networkPolicy: { enabled: false, operatorNamespace: 'ops' },
    },
    status: { observedGeneration: 2, whatever: 'status is the operator\'s and is not validated' },
  };
}

export interface GoodCase { name: string; ws: Json; old?: Json }
export interface BadCase {
  name: string;
  ws: Json;
  old?: Json;
  /** Every error expected, as [field, a part of its message]. */
  errors: [string, string][];
}

function edit(base: () => Json, change: (ws: Json) => void): Json {
  const ws = base();
  change(ws);
  return ws;
}
const spec = (change: (s: Json) => void) => edit(minimal, (ws) => change(ws.spec));
const app0 = (change: (a: Json) => void) => spec((s) => change(s.apps[0]));

export const goodCases: GoodCase[] = [
  { name: 'the minimal stack', ws: minimal() },
  { name: 'every section set', ws: full() },
  { name: 'tiers sharing a health path spelt two ways', ws: spec((s) => { s.loadBalancer = { healthCheck: { path: '/up' } }; s.apps.push({ name: 'b', image: 'y', healthPath: '/up' }); }) },
  { name: 'nulls count as absent', ws: spec((s) => { s.database = null; s.loadBalancer = { tls: null }; }) },
  { name: 'listed without apiVersion and kind', ws: edit(minimal, (ws) => { delete ws.apiVersion; delete ws.kind; }) },
  { name: 'async replication with one database pod', ws: spec((s) => { s.database = { replicas: 1, replication: { mode: 'async' } }; }) },
  { name: 'primary set to pod 0', ws: spec((s) => { s.database = { primary: 'shop-mysql-0' }; }) },
  { name: 'an app name exactly filling 63 characters', ws: edit(minimal, (ws) => { ws.metadata.name = 'a'.repeat(40); ws.spec.apps[0].name = 'b'.repeat(22); }) },
  { name: 'published through a Gateway', ws: spec((s) => { s.loadBalancer = { gateway: { parentRefs: [{ name: 'edge', namespace: 'infra', sectionName: 'web', port: 443 }], hostnames: ['shop.example.com', '*.example.com'] } }; }) },
  { name: 'HTTP through a Gateway without host names', ws: spec((s) => { s.loadBalancer = { gateway: { parentRefs: [{ name: 'edge' }] } }; }) },
  { name: 'TLS passthrough through a Gateway', ws: spec((s) => { s.loadBalancer = { tls: { secretName: 'tls' }, gateway: { parentRefs: [{ name: 'edge' }], hostnames: ['shop.example.com'] } }; }) },
  { name: 'TLS from a cert-manager ClusterIssuer', ws: spec((s) => { s.loadBalancer = { tls: { secretName: 'tls', issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' } }, gateway: { parentRefs: [{ name: 'edge' }], hostnames: ['shop.example.com'] } }; }) },
  {
    name: 'an update that scales and reweighs but keeps engine and storage',
    old: full(),
    ws: edit(full, (ws) => { ws.spec.database.replicas = 5; ws.spec.apps[0].weight = 10; }),
  },
  {
    name: 'an update that spells out the default database name and user',
    old: minimal(),
    ws: spec((s) => { s.database = { databaseName: 'app', user: 'app' }; }),
  },
  {
    name: 'an update that spells out the defaults the stored object got',
    old: minimal(),
    ws: spec((s) => { s.database = { engine: 'mysql', storage: { size: '10Gi' } }; }),
  },
];

export const badCases: BadCase[] = [
  { name: 'not an object', ws: 'apiVersion: v1' as unknown as Json, errors: [['', 'must be an object']] },
  { name: 'wrong apiVersion', ws: edit(minimal, (ws) => { ws.apiVersion = 'webstack.dev/v1'; }), errors: [['apiVersion', 'must be webstack.dev/v1alpha1']] },
  { name: 'wrong kind', ws: edit(minimal, (ws) => { ws.kind = 'Webstack'; }), errors: [['kind', 'must be WebStack']] },
  { name: 'no name', ws: edit(minimal, (ws) => { delete ws.metadata.name; }), errors: [['metadata.name', 'is required']] },
  { name: 'name not a DNS label', ws: edit(minimal, (ws) => { ws.metadata.name = 'Shop.prod'; }), errors: [['metadata.name', 'must be a DNS label']] },
  { name: 'name too long', ws: edit(minimal, (ws) => { ws.metadata.name = 's'.repeat(47); }), errors: [['metadata.name', 'must be at most 46 characters']] },
  { name: 'no spec', ws: edit(minimal, (ws) => { delete ws.spec; }), errors: [['spec', 'is required']] },
  { name: 'unknown spec field', ws: spec((s) => { s.app = []; }), errors: [['spec.app', 'unknown field']] },
  { name: 'HAProxy replicas 0', ws: spec((s) => { s.loadBalancer = { replicas: 0 }; }), errors: [['spec.loadBalancer.replicas', 'must be between 1 and 20']] },
  { name: 'HAProxy replicas not whole', ws: spec((s) => { s.loadBalancer = { replicas: 1.5 }; }), errors: [['spec.loadBalancer.replicas', 'must be a whole number']] },
  { name: 'unknown algorithm', ws: spec((s) => { s.loadBalancer = { algorithm: 'fastest' }; }), errors: [['spec.loadBalancer.algorithm', 'must be one of: roundrobin, static-rr']] },
  { name: 'unknown Service type', ws: spec((s) => { s.loadBalancer = { service: { type: 'External' } }; }), errors: [['spec.loadBalancer.service.type', 'must be one of: ClusterIP, NodePort, LoadBalancer']] },
  { name: 'Service port out of range', ws: spec((s) => { s.loadBalancer = { service: { port: 70000 } }; }), errors: [['spec.loadBalancer.service.port', 'must be between 1 and 65535']] },
  { name: 'source range not a CIDR', ws: spec((s) => { s.loadBalancer = { service: { loadBalancerSourceRanges: ['10.0.0.0/8', '10.0.0.0/33', 'example.com'] } }; }), errors: [['spec.loadBalancer.service.loadBalancerSourceRanges[1]', 'must be a CIDR'], ['spec.loadBalancer.service.loadBalancerSourceRanges[2]', 'must be a CIDR']] },
  { name: 'source range with an IPv6 zone id', ws: spec((s) => { s.loadBalancer = { service: { loadBalancerSourceRanges: ['fe80::1%eth0/64'] } }; }), errors: [['spec.loadBalancer.service.loadBalancerSourceRanges[0]', 'must be a CIDR']] },
  { name: 'annotation key invalid', ws: spec((s) => { s.loadBalancer = { service: { annotations: { 'bad key': 'x' } } }; }), errors: [['spec.loadBalancer.service.annotations[bad key]', 'key must be']] },
  { name: 'TLS without a Secret', ws: spec((s) => { s.loadBalancer = { tls: { redirectHttp: false } }; }), errors: [['spec.loadBalancer.tls.secretName', 'is required']] },
  { name: 'TLS Secret name invalid', ws: spec((s) => { s.loadBalancer = { tls: { secretName: 'Shop_TLS' } }; }), errors: [['spec.loadBalancer.tls.secretName', 'must be a DNS subdomain']] },
  { name: 'TLS on the HTTP port', ws: spec((s) => { s.loadBalancer = { tls: { secretName: 'tls' }, service: { port: 8443, tlsPort: 8443 } }; }), errors: [['spec.loadBalancer.service.tlsPort', 'must differ when tls is set']] },
  { name: 'HSTS max-age negative', ws: spec((s) => { s.loadBalancer = { tls: { secretName: 'tls', hstsMaxAgeSeconds: -1 } }; }), errors: [['spec.loadBalancer.tls.hstsMaxAgeSeconds', 'must be between 0 and']] },
  { name: 'Gateway without parents', ws: spec((s) => { s.loadBalancer = { gateway: { parentRefs: [] } }; }), errors: [['spec.loadBalancer.gateway.parentRefs', 'must not be empty']] },
  { name: 'Gateway parent without a name', ws: spec((s) => { s.loadBalancer = { gateway: { parentRefs: [{ namespace: 'infra' }] } }; }), errors: [['spec.loadBalancer.gateway.parentRefs[0].name', 'is required']] },
  { name: 'Gateway host name not a DNS name', ws: spec((s) => { s.loadBalancer = { gateway: { parentRefs: [{ name: 'edge' }], hostnames: ['Shop.example.com', 'a.*.example.com'] } }; }), errors: [['spec.loadBalancer.gateway.hostnames[0]', 'must be a lowercase DNS name'], ['spec.loadBalancer.gateway.hostnames[1]', 'must be a lowercase DNS name']] },
  { name: 'Gateway host name twice', ws: spec((s) => { s.loadBalancer = { gateway: { parentRefs: [{ name: 'edge' }], hostnames: ['a.example.com', 'a.example.com'] } }; }), errors: [['spec.loadBalancer.gateway.hostnames', 'must be unique']] },
  { name: 'TLS passthrough without host names', ws: spec((s) => { s.loadBalancer = { tls: { secretName: 'tls' }, gateway: { parentRefs: [{ name: 'edge' }] } }; }), errors: [['spec.loadBalancer.gateway.hostnames', 'must not be empty when tls is set']] },
  { name: 'cert-manager issuer without host names', ws: spec((s) => { s.loadBalancer = { tls: { secretName: 'tls', issuerRef: { name: 'letsencrypt' } } }; }), errors: [['spec.loadBalancer.tls.issuerRef', 'set them when tls.issuerRef is set']] },
  { name: 'cert-manager issuer kind not a kind', ws: spec((s) => { s.loadBalancer = { tls: { secretName: 'tls', issuerRef: { name: 'le', kind: 'cluster-issuer' } }, gateway: { parentRefs: [{ name: 'edge' }], hostnames: ['a.example.com'] } }; }), errors: [['spec.loadBalancer.tls.issuerRef.kind', 'must be a Kubernetes kind']] },
  { name: 'health path without slash', ws: spec((s) => { s.loadBalancer = { healthCheck: { path: 'healthz' } }; }), errors: [['spec.loadBalancer.healthCheck.path', 'must be an HTTP path']] },
  { name: 'health path smuggling config', ws: spec((s) => { s.loadBalancer = { healthCheck: { path: '/x\n    bind :9999' } }; }), errors: [['spec.loadBalancer.healthCheck.path', 'without spaces']] },
  { name: 'health check interval 0', ws: spec((s) => { s.loadBalancer = { healthCheck: { intervalSeconds: 0 } }; }), errors: [['spec.loadBalancer.healthCheck.intervalSeconds', 'must be between 1 and 300']] },
  { name: 'health check fall 11 and rise 0', ws: spec((s) => { s.loadBalancer = { healthCheck: { fall: 11, rise: 0 } }; }), errors: [['spec.loadBalancer.healthCheck.fall', 'must be between 1 and 10'], ['spec.loadBalancer.healthCheck.rise', 'must be between 1 and 10']] },
  { name: 'no apps', ws: spec((s) => { delete s.apps; }), errors: [['spec.apps', 'is required']] },
  { name: 'empty apps', ws: spec((s) => { s.apps = []; }), errors: [['spec.apps', 'must not be empty']] },
  { name: 'apps not a list', ws: spec((s) => { s.apps = { name: 'web', image: 'x' }; }), errors: [['spec.apps', 'must be a list']] },
  { name: 'too many apps', ws: spec((s) => { s.apps = Array.from({ length: 17 }, (_, i) => ({ name: `t${i}`, image: 'x' })); }), errors: [['spec.apps', 'must be between 1 and 16 items']] },
  { name: 'app without image', ws: app0((a) => { delete a.image; }), errors: [['spec.apps[0].image', 'is required']] },
  { name: 'app image with a space', ws: app0((a) => { a.image = 'shop 1.4'; }), errors: [['spec.apps[0].image', 'without spaces']] },
  { name: 'app name with capitals', ws: app0((a) => { a.name = 'Web'; }), errors: [['spec.apps[0].name', 'must be a DNS label']] },
  { name: 'app name of the stack\'s own objects', ws: app0((a) => { a.name = 'mysql-primary'; }), errors: [['spec.apps[0].name', 'must not be one of haproxy, mysql, mysql-primary, mysql-replicas']] },
  {
    name: 'app name making a Service name over 63 characters',
    ws: edit(minimal, (ws) => { ws.metadata.name = 'a'.repeat(40); ws.spec.apps[0].name = 'b'.repeat(23); }),
    errors: [['spec.apps', 'must be at most 63 characters']],
  },
  { name: 'weight over HAProxy\'s 256', ws: spec((s) => { s.apps.push({ name: 'api', image: 'x', weight: 300 }); }), errors: [['spec.apps[1].weight', 'must be between 0 and 256']] },
  { name: 'weight as a string', ws: app0((a) => { a.weight = '100'; }), errors: [['spec.apps[0].weight', 'must be a whole number']] },
  { name: 'app replicas negative', ws: app0((a) => { a.replicas = -1; }), errors: [['spec.apps[0].replicas', 'must be between 0 and 100']] },
  { name: 'app port 0', ws: app0((a) => { a.port = 0; }), errors: [['spec.apps[0].port', 'must be between 1 and 65535']] },
  { name: 'backup not a boolean', ws: app0((a) => { a.backup = 'yes'; }), errors: [['spec.apps[0].backup', 'must be true or false']] },
  { name: 'app field misspelt', ws: app0((a) => { a.replica = 2; }), errors: [['spec.apps[0].replica', 'unknown field']] },
  { name: 'duplicate app names', ws: spec((s) => { s.apps.push({ name: 'web', image: 'y' }); }), errors: [['spec.apps', 'app names must be unique']] },
  { name: 'tiers with different health paths', ws: spec((s) => { s.apps.push({ name: 'legacy', image: 'y', healthPath: '/status' }); }), errors: [['spec.apps', 'every app tier must use the same health path']] },
  { name: 'only backup apps', ws: app0((a) => { a.backup = true; }), errors: [['spec.apps', 'at least one app must not be a backup']] },
  { name: 'env overriding DATABASE_PASSWORD', ws: app0((a) => { a.env = [{ name: 'DATABASE_PASSWORD', value: 'x' }]; }), errors: [['spec.apps[0].env[0].name', 'DATABASE_* variables are set by the operator']] },
  { name: 'env name starting with a digit', ws: app0((a) => { a.env = [{ name: '1PORT', value: '1' }]; }), errors: [['spec.apps[0].env[0].name', 'must be an environment variable name']] },
  { name: 'env value and valueFrom', ws: app0((a) => { a.env = [{ name: 'K', value: 'v', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]; }), errors: [['spec.apps[0].env[0]', 'mutually exclusive']] },
  { name: 'env valueFrom with two sources', ws: app0((a) => { a.env = [{ name: 'K', valueFrom: { fieldRef: { fieldPath: 'metadata.name' }, secretKeyRef: { name: 's', key: 'k' } } }]; }), errors: [['spec.apps[0].env[0].valueFrom', 'must set exactly one of']] },
  { name: 'env valueFrom with no source', ws: app0((a) => { a.env = [{ name: 'K', valueFrom: {} }]; }), errors: [['spec.apps[0].env[0].valueFrom', 'must set exactly one of']] },
  { name: 'env Secret key missing', ws: app0((a) => { a.env = [{ name: 'K', valueFrom: { secretKeyRef: { name: 's' } } }]; }), errors: [['spec.apps[0].env[0].valueFrom.secretKeyRef.key', 'is required']] },
  { name: 'env names repeated', ws: app0((a) => { a.env = [{ name: 'K', value: '1' }, { name: 'K', value: '2' }]; }), errors: [['spec.apps[0].env', 'env names must be unique']] },
  { name: 'resource quantity invalid', ws: app0((a) => { a.resources = { limits: { cpu: 'lots', memory: '1Gi' } }; }), errors: [['spec.apps[0].resources.limits[cpu]', 'must be a Kubernetes quantity']] },
  { name: 'unknown engine', ws: spec((s) => { s.database = { engine: 'postgres' }; }), errors: [['spec.database.engine', 'must be one of: mysql, mariadb']] },
  { name: 'database replicas 10', ws: spec((s) => { s.database = { replicas: 10 }; }), errors: [['spec.database.replicas', 'must be between 1 and 9']] },
  { name: 'semisync with one database pod', ws: spec((s) => { s.database = { replicas: 1 }; }), errors: [['spec.database.replicas', 'semisync replication needs at least 2 replicas']] },
  { name: 'unknown replication mode', ws: spec((s) => { s.database = { replication: { mode: 'sync' } }; }), errors: [['spec.database.replication.mode', 'must be one of: semisync, async']] },
  { name: 'failover threshold over 60', ws: spec((s) => { s.database = { failover: { failureThresholdSeconds: 61 } }; }), errors: [['spec.database.failover.failureThresholdSeconds', 'must be between 1 and 60']] },
  { name: 'storage size in GB', ws: spec((s) => { s.database = { storage: { size: '10GB' } }; }), errors: [['spec.database.storage.size', 'must be a positive whole quantity']] },
  { name: 'storage size zero', ws: spec((s) => { s.database = { storage: { size: '0Gi' } }; }), errors: [['spec.database.storage.size', 'must be a positive whole quantity']] },
  { name: 'storage class invalid', ws: spec((s) => { s.database = { storage: { storageClassName: 'Fast SSD' } }; }), errors: [['spec.database.storage.storageClassName', 'must be a DNS subdomain']] },
  { name: 'primary of another stack', ws: spec((s) => { s.database = { primary: 'blog-mysql-0' }; }), errors: [['spec.database.primary', 'must name a database pod of this stack']] },
  { name: 'primary with a leading zero', ws: spec((s) => { s.database = { primary: 'shop-mysql-01' }; }), errors: [['spec.database.primary', 'must name a database pod of this stack']] },
  { name: 'primary beyond the replicas', ws: spec((s) => { s.database = { primary: 'shop-mysql-3' }; }), errors: [['spec.database.primary', 'its ordinal must be less than database.replicas']] },
  { name: 'database name with a dash', ws: spec((s) => { s.database = { databaseName: 'my-shop' }; }), errors: [['spec.database.databaseName', 'must be letters, digits and "_"']] },
  { name: 'app user root', ws: spec((s) => { s.database = { user: 'root' }; }), errors: [['spec.database.user', 'must not be one of root']] },
  { name: 'app user ROOT', ws: spec((s) => { s.database = { user: 'ROOT' }; }), errors: [['spec.database.user', 'belong to the server or the operator']] },
  { name: 'app user event_scheduler', ws: spec((s) => { s.database = { user: 'event_scheduler' }; }), errors: [['spec.database.user', 'belong to the server or the operator']] },
  { name: 'app user mysql.sys', ws: spec((s) => { s.database = { user: 'mysql.sys' }; }), errors: [['spec.database.user', 'must be letters'], ['spec.database.user', 'belong to the server or the operator']] },
  { name: 'database mysql', ws: spec((s) => { s.database = { databaseName: 'mysql' }; }), errors: [['spec.database.databaseName', "those are the server's own schemas"]] },
  { name: 'database Information_Schema', ws: spec((s) => { s.database = { databaseName: 'Information_Schema' }; }), errors: [['spec.database.databaseName', "those are the server's own schemas"]] },
  { name: 'database performance_schema', ws: spec((s) => { s.database = { databaseName: 'performance_schema' }; }), errors: [['spec.database.databaseName', "those are the server's own schemas"]] },
  { name: 'database sys', ws: spec((s) => { s.database = { databaseName: 'sys' }; }), errors: [['spec.database.databaseName', "those are the server's own schemas"]] },
  { name: 'database name renamed', old: full(), ws: edit(full, (ws) => { ws.spec.database.databaseName = 'shop2'; }), errors: [['spec.database.databaseName', 'databaseName is immutable']] },
  { name: 'database user renamed', old: full(), ws: edit(full, (ws) => { ws.spec.database.user = 'shop_app2'; }), errors: [['spec.database.user', 'user is immutable']] },
  { name: 'database user set later to a non-default', old: minimal(), ws: spec((s) => { s.database = { user: 'other' }; }), errors: [['spec.database.user', 'user is immutable']] },
  { name: 'network policy enabled as a string', ws: spec((s) => { s.networkPolicy = { enabled: 'yes' }; }), errors: [['spec.networkPolicy.enabled', 'must be true or false']] },
  { name: 'operator namespace invalid', ws: spec((s) => { s.networkPolicy = { operatorNamespace: 'Ops' }; }), errors: [['spec.networkPolicy.operatorNamespace', 'must be a DNS label']] },
  {
    name: 'several problems at once, each reported',
    ws: spec((s) => {
      s.apps.push({ name: 'web', image: 'x', weight: 300 });
      s.database = { replicas: 12 };
      s.loadBalancer = { algorithm: 'fastest' };
    }),
    errors: [
      ['spec.loadBalancer.algorithm', 'must be one of'],
      ['spec.apps[1].weight', 'must be between 0 and 256'],
      ['spec.database.replicas', 'must be between 1 and 9'],
      ['spec.apps', 'app names must be unique'],
    ],
  },
  { name: 'engine switched', old: minimal(), ws: spec((s) => { s.database = { engine: 'mariadb' }; }), errors: [['spec.database.engine', 'engine is immutable']] },
  { name: 'storage class set later', old: minimal(), ws: spec((s) => { s.database = { storage: { storageClassName: 'fast' } }; }), errors: [['spec.database.storage.storageClassName', 'storageClassName is immutable']] },
  { name: 'storage class changed', old: full(), ws: edit(full, (ws) => { ws.spec.database.storage.storageClassName = 'slow'; }), errors: [['spec.database.storage.storageClassName', 'storageClassName is immutable']] },
  { name: 'storage size changed', old: full(), ws: edit(full, (ws) => { ws.spec.database.storage.size = '40Gi'; }), errors: [['spec.database.storage.size', 'size is immutable']] },
  {
    name: 'backup storage names both targets',
    ws: spec((s) => { s.database = { backup: { storage: { volume: {}, s3: { bucket: 'backups', credentialsSecret: 's3' } } } }; }),
    errors: [['spec.database.backup.storage', 'must set exactly one of volume, s3']],
  },
  {
    name: 'backup schedule and retention malformed',
    ws: spec((s) => { s.database = { backup: { schedule: 'hourly', retention: { count: 0, maxAge: '1w' } } }; }),
    errors: [
      ['spec.database.backup.schedule', 'must be a cron schedule'],
      ['spec.database.backup.retention.count', 'must be between 1 and 1000'],
      ['spec.database.backup.retention.maxAge', 'must be a duration'],
    ],
  },
  { name: 'backup schedule out of range', ws: spec((s) => { s.database = { backup: { schedule: '60 */6 * * *' } }; }), errors: [['spec.database.backup.schedule', "minute '60' is outside 0-59"]] },
  { name: 'restore names no backup', ws: spec((s) => { s.database = { engine: 'mariadb', restore: { pointInTime: '2026-12-03T10:00:00Z' } }; }), errors: [['spec.database.restore', 'must set exactly one of backup, fromStack']] },
  { name: 'restore added to a running stack', old: minimal(), ws: spec((s) => { s.database = { restore: { fromStack: 'shop' } }; }), errors: [['spec.database.restore', 'restore is immutable']] },
];
