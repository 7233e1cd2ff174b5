/** WebStack manifests the end-to-end tests and bench/sandbox.ts run. */

/** MariaDB (the engine that runs here), three instances, a quick failover threshold. */
export const DATABASE_STACK = `
apiVersion: webstack.dev/v1alpha1
kind: WebStack
metadata:
  name: shop
spec:
  loadBalancer:
    replicas: 1
    healthCheck: {intervalSeconds: 1, rise: 1, fall: 2}
  apps:
    - {name: web, image: ghcr.io/acme/shop:1.4, replicas: 2}
  database:
    engine: mariadb
    replicas: 3
    failover: {failureThresholdSeconds: 2}
  networkPolicy: {enabled: false}
`;
