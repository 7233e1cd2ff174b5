/**
 * The variables every container gets for the `kubernetes` Service, as the kubelet sets them, here
 * pointing at the API server's real address (pods are local processes and reach it directly).
 */
export function kubernetesServiceEnv(apiServer: { host: string; port: number }): Record<string, string> {
  const { host, port } = apiServer;
  const url = `tcp://${host}:${port}`;
  const prefix = `KUBERNETES_PORT_${port}_TCP`;
  return {
    KUBERNETES_SERVICE_HOST: host,
    KUBERNETES_SERVICE_PORT: String(port),
    KUBERNETES_SERVICE_PORT_HTTPS: String(port),
    KUBERNETES_PORT: url,
    [prefix]: url,
    [`${prefix}_PROTO`]: 'tcp',
    [`${prefix}_PORT`]: String(port),
    [`${prefix}_ADDR`]: host,
  };
}
