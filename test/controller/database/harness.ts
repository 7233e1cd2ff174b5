/**
 * The operator with its database managers against the in-memory API server, and the sandbox runtime
 * playing the cluster: database pods are real mariadbd processes started through the rendered start
 * script, on pod IPs in 127.0.0.0/8; Services are real loopback proxies that follow pod labels.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { BackupController, type BackupOptions } from '../../../src/controller/backup/backup-controller.js';
import { DatabaseManagers } from '../../../src/controller/database/managers.js';
import { KubeClient } from '../../../src/kube/client.js';
import { Operator } from '../../../src/controller/operator.js';
import { resourceFor, WEBSTACK } from '../../../src/controller/resources.js';
import { createLogger } from '../../../src/log.js';
import { startApiServer, type RunningApiServer } from '../../../src/sandbox/apiserver/index.js';
import { startDnsServer, type DnsServer } from '../../../src/sandbox/dns/server.js';
import { OPERATOR_FROM_SOURCE, startRuntime, type Runtime } from '../../../src/sandbox/runtime/index.js';
import type { DatabaseTimings } from '../../../src/timings.js';
import type { Clock } from '../../../src/clock.js';
import { LogCapture } from '../harness.js';

export interface DatabaseEnv {
  /** The runtime's state: volumes are under `volumes/<namespace>/<claim>` (pod-volumes.ts claimDir). */
  stateDir: string;
  api: RunningApiServer;
  dns: DnsServer;
  runtime: Runtime;
  client: KubeClient;
  logs: LogCapture;
  operator: Operator | undefined;
  /**
   * SIGKILLs a database pod's processes and keeps them down until `bringBack`: the test, not a
   * timer, says when it returns, so a failover always happens while it is down and nothing waits
   * for a hold to run out. Answers how many processes were killed.
   */
  holdDown(pod: string): number;
  /** A held-down pod back now: deleted with grace 0, as `kubectl delete pod --grace-period=0` does; its StatefulSet starts it again on its volume. */
  bringBack(pod: string): Promise<void>;
  startOperator(identity: string): Promise<Operator>;
  stopOperator(): Promise<void>;
  close(): Promise<void>;
}

const CRD = { kind: 'CustomResourceDefinition', apiVersion: 'apiextensions.k8s.io/v1', plural: 'customresourcedefinitions', namespaced: false };
const NAMESPACE = { kind: 'Namespace', apiVersion: 'v1', plural: 'namespaces', namespaced: false };
const POD = resourceFor('v1', 'Pod');
/** Longer than any test waits for a failover: a held-down pod returns when `bringBack` says so. */
const HELD_DOWN_MS = 600_000;

/** The operator's image, named for the agents (`agents`) and the backup stores (`backups`): the sandbox runs it from this checkout's sources. */
const AGENT_IMAGE = 'webstack-operator:test';

/**
 * `backups`: the operator also runs the backup controller with these options (on `backupClock`, when
 * given, so a test can jump to a schedule's next run), and stacks that back up to their volume get a backup store. `agents`: database pods run the agent beside the server (both
 * are the operator's image, run from the sources).
 */
export async function startDatabaseEnv(namespace: string, backups?: BackupOptions,
  opts: { agents?: boolean; timings?: Partial<DatabaseTimings>; backupClock?: Clock } = {}): Promise<DatabaseEnv> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'db-managers-'));
  const runtimeLogs = new LogCapture();
  const api = await startApiServer({ port: 0 });
  const dns = await startDnsServer();
  const runtime = await startRuntime({ kubeconfig: api.kubeconfig(), stateDir, log: createLogger({ format: 'json', stream: runtimeLogs }), dns, resyncMs: 500,
    ...(opts.agents || backups ? { operatorCommand: OPERATOR_FROM_SOURCE } : {}) });
  const kc = new KubeConfig();
  kc.loadFromString(api.kubeconfig());
  const client = new KubeClient(kc);
  await client.create(CRD, undefined, parse(readFileSync('crds/webstack.yaml', 'utf8')) as object);
  await client.create(CRD, undefined, parse(readFileSync('crds/webstackbackup.yaml', 'utf8')) as object);
  for (let i = 0; ; i++) {
    try {
      await client.list(WEBSTACK, 'default');
      break;
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await client.create(NAMESPACE, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const logs = new LogCapture();
  const env: DatabaseEnv = {
    stateDir, api, dns, runtime, client, logs, operator: undefined,
    holdDown: (pod) => runtime.crashPod(namespace, pod, HELD_DOWN_MS),
    async bringBack(pod) {
      const uid = (await client.get<{ metadata: { uid: string } }>(POD, namespace, pod))?.metadata.uid;
      await client.delete(POD, namespace, pod, uid, { gracePeriodSeconds: 0 });
    },
    async startOperator(identity) {
      const okc = new KubeConfig();
      okc.loadFromString(api.kubeconfig());
      const operator = new Operator({
        kubeConfig: okc, namespaces: [namespace], identity, defaultMetrics: false,
        log: createLogger({ format: 'json', stream: logs, level: 'debug' }),
        databaseManagers: (parts) => new DatabaseManagers({ ...parts, timings: { ...parts.timings, probeIntervalMs: 300, ...opts.timings } }),
        backups: backups && ((parts) => new BackupController({ ...parts, clock: opts.backupClock ?? parts.clock }, backups)),
        ...(opts.agents ? { agentImage: AGENT_IMAGE } : {}),
        ...(backups ? { backupStoreImage: AGENT_IMAGE } : {}),
      });
      env.operator = operator;
      await operator.start();
      return operator;
    },
    async stopOperator() {
      await env.operator?.stop();
      env.operator = undefined;
    },
    async close() {
      await env.stopOperator();
      client.close();
      await runtime.close(2000);
      await dns.close();
      await api.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return env;
}
