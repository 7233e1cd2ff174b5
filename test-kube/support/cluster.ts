/**
 * A real control plane with the sandbox's runtime as its node, for tests that drive it with
 * kubectl and helm directly (the sandbox process does the same for the end-to-end tests).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/log.js';
import { helmPath, kubectlPath } from '../../src/sandbox/cli-tools.js';
import { NODE_NAME } from '../../src/sandbox/control-plane/component-args.js';
import { startControlPlane, type ControlPlane } from '../../src/sandbox/control-plane/index.js';
import { startDnsServer } from '../../src/sandbox/dns/server.js';
import { ensureOperatorBuild } from '../../src/sandbox/kube-plane.js';
import { startRuntime, type Runtime } from '../../src/sandbox/runtime/index.js';

export interface Run { code: number; stdout: string; stderr: string }

export interface TestCluster {
  dir: string;
  kubeconfig: string;
  controlPlane: ControlPlane;
  runtime: Runtime;
  kubectl(args: string[], input?: string): Promise<Run>;
  helm(args: string[]): Promise<Run>;
  /** Audit entries (Metadata level) of one user, e.g. an operator's service account. */
  audit(user: string): AuditEntry[];
  close(): Promise<void>;
}

export interface AuditEntry {
  verb: string;
  user: { username: string };
  objectRef?: { resource?: string; namespace?: string; name?: string; subresource?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp: string;
}

function run(binary: string, args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(binary, args, { encoding: 'utf8', timeout: 330_000, env }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

export async function startTestCluster(): Promise<TestCluster> {
  await ensureOperatorBuild();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kube-test-'));
  const controlPlane = await startControlPlane({ dir: path.join(dir, 'control-plane') });
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, controlPlane.kubeconfig(), { mode: 0o600 });
  const dns = await startDnsServer();
  const runtime = await startRuntime({
    kubeconfig: controlPlane.kubeconfig(), stateDir: path.join(dir, 'node'), log: createLogger({ format: 'json', level: 'error' }), dns,
    node: { name: NODE_NAME, apiServer: { host: '127.0.0.1', port: controlPlane.port }, kubeletTls: controlPlane.kubeletTls },
  });
  const env = { ...process.env, HELM_CACHE_HOME: path.join(dir, 'helm', 'cache'), HELM_CONFIG_HOME: path.join(dir, 'helm', 'config'), HELM_DATA_HOME: path.join(dir, 'helm', 'data') };
  return {
    dir, kubeconfig, controlPlane, runtime,
    kubectl: (args, input) => run(kubectlPath(), ['--kubeconfig', kubeconfig, ...args], env, input),
    helm: (args) => run(helmPath(), ['--kubeconfig', kubeconfig, ...args], env),
    audit: (user) => readFileSync(controlPlane.auditLog, 'utf8').trim().split('\n').filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEntry).filter((e) => e.user.username === user),
    close: async () => {
      await runtime.close(5000);
      await dns.close();
      await controlPlane.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
