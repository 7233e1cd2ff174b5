/** Defaults for every WebStack field: one place, used by rendering, the CRD schema and the controller. */
import type {
  AppSpec, BalanceAlgorithm, DatabaseEngine, EnvVar, GatewayParentRef, IssuerRef, ReplicationMode, ResourceRequirements, ServiceType, WebStack,
} from './types.js';

/** What an issuerRef (loadBalancer.tls, database.tls) names when it leaves kind and group out. */
const ISSUER_REF = { kind: 'Issuer', group: 'cert-manager.io' } as const;

export const DEFAULTS = {
  loadBalancer: {
    replicas: 2,
    algorithm: 'roundrobin' as BalanceAlgorithm,
    image: 'haproxy:3.2',
    // The Service type follows loadBalancer.gateway: behind a Gateway, HAProxy needs no address of its own.
    service: { type: 'LoadBalancer' as ServiceType, typeBehindGateway: 'ClusterIP' as ServiceType, port: 80, tlsPort: 443 },
    tls: { redirectHttp: true, hstsMaxAgeSeconds: 31536000, issuerRef: ISSUER_REF },
    healthCheck: { path: '/healthz', intervalSeconds: 2, fall: 3, rise: 2 },
  },
  app: { replicas: 2, port: 8080, weight: 100, backup: false },
  database: {
    engine: 'mysql' as DatabaseEngine,
    images: { mysql: 'mysql:8.4', mariadb: 'mariadb:11.4' } as Record<DatabaseEngine, string>,
    replicas: 3,
    storage: { size: '10Gi' },
    replication: { mode: 'semisync' as ReplicationMode, semiSyncTimeoutSeconds: 31536000 },
    failover: { enabled: true, failureThresholdSeconds: 3 },
    tls: { issuerRef: ISSUER_REF },
    databaseName: 'app',
    user: 'app',
  },
  networkPolicy: { enabled: true, operatorNamespace: 'webstack-system' },
} as const;

export interface ResolvedApp {
  name: string;
  image: string;
  replicas: number;
  port: number;
  weight: number;
  backup: boolean;
  env: EnvVar[];
  resources?: ResourceRequirements;
  healthPath: string;
}

export interface ResolvedSpec {
  loadBalancer: {
    replicas: number;
    algorithm: BalanceAlgorithm;
    image: string;
    service: { type: ServiceType; port: number; tlsPort: number; loadBalancerSourceRanges: string[]; annotations: Record<string, string> };
    tls?: { secretName: string; redirectHttp: boolean; hstsMaxAgeSeconds: number; issuerRef?: ResolvedIssuerRef };
    gateway?: { parentRefs: GatewayParentRef[]; hostnames: string[] };
    healthCheck: { path: string; intervalSeconds: number; fall: number; rise: number };
    resources?: ResourceRequirements;
  };
  apps: ResolvedApp[];
  database: {
    engine: DatabaseEngine;
    image: string;
    replicas: number;
    storage: { size: string; storageClassName?: string };
    replication: { mode: ReplicationMode; semiSyncTimeoutSeconds: number };
    failover: { enabled: boolean; failureThresholdSeconds: number };
    /** Without issuerRef the operator's own CA signs the servers' certificate (src/pki). */
    tls: { issuerRef?: ResolvedIssuerRef };
    primary: string;
    databaseName: string;
    user: string;
    resources?: ResourceRequirements;
  };
  networkPolicy: { enabled: boolean; operatorNamespace: string; statsFromNamespaces: string[] };
}

export interface ResolvedIssuerRef { name: string; kind: string; group: string }

function resolveIssuerRef(ref: IssuerRef | undefined): ResolvedIssuerRef | undefined {
  return ref && { name: ref.name, kind: ref.kind ?? ISSUER_REF.kind, group: ref.group ?? ISSUER_REF.group };
}

function resolveApp(app: AppSpec, healthPath: string): ResolvedApp {
  const d = DEFAULTS.app;
  return {
    name: app.name,
    image: app.image,
    replicas: app.replicas ?? d.replicas,
    port: app.port ?? d.port,
    weight: app.weight ?? d.weight,
    backup: app.backup ?? d.backup,
    env: app.env ?? [],
    resources: app.resources,
    healthPath: app.healthPath ?? healthPath,
  };
}

/** The spec with every default filled in. `primary` defaults to pod 0 of the StatefulSet. */
export function resolveSpec(ws: WebStack): ResolvedSpec {
  const s = ws.spec;
  const lb = s.loadBalancer ?? {};
  const db = s.database ?? {};
  const d = DEFAULTS;
  const engine = db.engine ?? d.database.engine;
  const healthCheck = {
    path: lb.healthCheck?.path ?? d.loadBalancer.healthCheck.path,
    intervalSeconds: lb.healthCheck?.intervalSeconds ?? d.loadBalancer.healthCheck.intervalSeconds,
    fall: lb.healthCheck?.fall ?? d.loadBalancer.healthCheck.fall,
    rise: lb.healthCheck?.rise ?? d.loadBalancer.healthCheck.rise,
  };
  return {
    loadBalancer: {
      replicas: lb.replicas ?? d.loadBalancer.replicas,
      algorithm: lb.algorithm ?? d.loadBalancer.algorithm,
      image: lb.image ?? d.loadBalancer.image,
      service: {
        type: lb.service?.type ?? (lb.gateway ? d.loadBalancer.service.typeBehindGateway : d.loadBalancer.service.type),
        port: lb.service?.port ?? d.loadBalancer.service.port,
        tlsPort: lb.service?.tlsPort ?? d.loadBalancer.service.tlsPort,
        loadBalancerSourceRanges: lb.service?.loadBalancerSourceRanges ?? [],
        annotations: lb.service?.annotations ?? {},
      },
      tls: lb.tls && {
        secretName: lb.tls.secretName,
        redirectHttp: lb.tls.redirectHttp ?? d.loadBalancer.tls.redirectHttp,
        hstsMaxAgeSeconds: lb.tls.hstsMaxAgeSeconds ?? d.loadBalancer.tls.hstsMaxAgeSeconds,
        issuerRef: resolveIssuerRef(lb.tls.issuerRef),
      },
      gateway: lb.gateway && { parentRefs: lb.gateway.parentRefs, hostnames: lb.gateway.hostnames ?? [] },
      healthCheck,
      resources: lb.resources,
    },
    apps: (s.apps ?? []).map((a) => resolveApp(a, healthCheck.path)),
    database: {
      engine,
      image: db.image ?? d.database.images[engine],
      replicas: db.replicas ?? d.database.replicas,
      storage: { size: db.storage?.size ?? d.database.storage.size, storageClassName: db.storage?.storageClassName },
      replication: {
        mode: db.replication?.mode ?? d.database.replication.mode,
        semiSyncTimeoutSeconds: db.replication?.semiSyncTimeoutSeconds ?? d.database.replication.semiSyncTimeoutSeconds,
      },
      failover: {
        enabled: db.failover?.enabled ?? d.database.failover.enabled,
        failureThresholdSeconds: db.failover?.failureThresholdSeconds ?? d.database.failover.failureThresholdSeconds,
      },
      tls: { issuerRef: resolveIssuerRef(db.tls?.issuerRef) },
      primary: db.primary ?? '',
      databaseName: db.databaseName ?? d.database.databaseName,
      user: db.user ?? d.database.user,
      resources: db.resources,
    },
    networkPolicy: {
      enabled: s.networkPolicy?.enabled ?? d.networkPolicy.enabled,
      operatorNamespace: s.networkPolicy?.operatorNamespace ?? d.networkPolicy.operatorNamespace,
      statsFromNamespaces: s.networkPolicy?.statsFromNamespaces ?? [],
    },
  };
}
