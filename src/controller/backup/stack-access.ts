/**
 * What backups and restores read about a stack: its admin login (the stack's Secret), its
 * database instances' addresses (the StatefulSet's pods), their agents and the store its storage spec names
 * (the bucket with the S3 credentials Secret, or the stack's backup store pod with its token). Nothing here is logged.
 */
import { AgentClient, type AgentTarget } from '../../agent/client.js';
import { AGENT_PORT, agentToken } from '../../agent/protocol.js';
import type { BackupStorageSpec } from '../../api/backup-types.js';
import { componentSelector, names } from '../../api/labels.js';
import type { Caches } from '../../kube/caches.js';
import type { KubeClient } from '../../kube/client.js';
import { POD } from '../../kube/resource-type.js';
import type { InstanceAddress } from '../../mysql/ports.js';
import { credentialsFromSecretData, type DatabaseCredentials } from '../../render/credentials.js';
import { resolveSpec } from '../../api/defaults.js';
import type { WebStack } from '../../api/types.js';
import type { ManagerCredentials } from '../../mysql/ports.js';
import { managerCredentials } from '../database/manager-inputs.js';
import type { Login } from '../../backup/client-tools.js';
import { s3StoreFor } from '../../backup/locations.js';
import { RemoteStore } from '../../backup/remote-store.js';
import { STORE_PORT, STORE_TOKEN_KEY } from '../../backup/store-protocol.js';
import type { BackupStore } from '../../backup/store.js';
import { resourceFor } from '../resources.js';
import { TLS_SECRET_KEYS } from '../../pki/database-certificates.js';
import { instancesFromPods, type DatabasePod } from '../database/topology.js';

const SECRET = resourceFor('v1', 'Secret');

interface StorePod {
  metadata: { name: string; deletionTimestamp?: string };
  status?: { podIP?: string; conditions?: { type: string; status: string }[] };
}

export class StackAccess {
  constructor(private readonly client: KubeClient, private readonly caches: Caches) {}

  private async secretCredentials(namespace: string, stack: string): Promise<DatabaseCredentials> {
    const name = names.mysqlSecret(stack);
    const secret = await this.client.get<{ data?: Record<string, string> }>(SECRET, namespace, name);
    if (!secret) throw new Error(`Secret ${namespace}/${name} not found`);
    return credentialsFromSecretData(secret.data, `Secret ${namespace}/${name}`);
  }

  /** Every account of the stack, as its database manager creates them. */
  async credentials(ws: WebStack): Promise<ManagerCredentials> {
    return managerCredentials(await this.secretCredentials(ws.metadata.namespace!, ws.metadata.name), resolveSpec(ws));
  }

  async login(namespace: string, stack: string): Promise<Login> {
    const c = await this.secretCredentials(namespace, stack);
    const ca = this.caches.get<{ data?: Record<string, string> }>('Secret', namespace, names.mysqlTlsSecret(stack))?.data?.[TLS_SECRET_KEYS.caBundle];
    return { user: c.adminUser, password: c.adminPassword, ...(ca ? { caBundle: Buffer.from(ca, 'base64').toString('utf8') } : {}) };
  }

  async instance(namespace: string, stack: string, pod: string): Promise<InstanceAddress> {
    const selector = Object.entries(componentSelector(stack, 'database')).map(([k, v]) => `${k}=${v}`).join(',');
    const { items } = await this.client.list<DatabasePod>(POD, namespace, selector);
    const uid = this.caches.get<{ metadata: { uid?: string } }>('StatefulSet', namespace, names.mysql(stack))?.metadata.uid;
    const found = instancesFromPods(items, namespace, stack, { uid }).find((i) => i.name === pod);
    if (!found) throw new Error(`database pod ${namespace}/${pod} of stack ${stack} not found`);
    return found;
  }

  /** A client of the stack's agents (their token derives from the admin password). */
  agents(login: Login): AgentClient {
    return new AgentClient({ token: agentToken(login.password) });
  }

  /** The agent beside an instance: its pod's address, the agent's port. */
  agentOf(instance: InstanceAddress): AgentTarget & { name: string } {
    return { name: instance.name, host: instance.host, port: AGENT_PORT };
  }

  /** The store holding stack `stack`'s backups on `storage`: its bucket, or its backup volume's store. */
  async store(namespace: string, stack: string, storage: BackupStorageSpec): Promise<BackupStore> {
    if (!storage.s3) return this.backupVolume(namespace, stack);
    const secret = await this.client.get<{ data?: Record<string, string> }>(SECRET, namespace, storage.s3.credentialsSecret);
    if (!secret) throw new Error(`Secret ${namespace}/${storage.s3.credentialsSecret} not found (spec.database.backup.storage.s3.credentialsSecret)`);
    return s3StoreFor(storage.s3, secret.data);
  }

  /** The stack's backup store: its ready pod, and the token from its Secret. */
  private async backupVolume(namespace: string, stack: string): Promise<BackupStore> {
    const what = `the backup store of ${namespace}/${stack} (Deployment ${names.backupStore(stack)}, volume ${names.backupVolume(stack)})`;
    const selector = Object.entries(componentSelector(stack, 'backup-store')).map(([k, v]) => `${k}=${v}`).join(',');
    const [{ items }, secret] = await Promise.all([
      this.client.list<StorePod>(POD, namespace, selector),
      this.client.get<{ data?: Record<string, string> }>(SECRET, namespace, names.backupStoreSecret(stack)),
    ]);
    const token = secret?.data?.[STORE_TOKEN_KEY];
    if (!token) throw new Error(`${what}: Secret ${names.backupStoreSecret(stack)} with its token not found`);
    const pod = items.find((p) => !p.metadata.deletionTimestamp && p.status?.podIP
      && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    if (!pod) throw new Error(`${what} is not ready (${items.length === 0 ? 'no pod' : 'its pod is not Ready'})`);
    return new RemoteStore({ host: pod.status!.podIP!, port: STORE_PORT, token: Buffer.from(token, 'base64').toString('utf8'), name: what });
  }
}
