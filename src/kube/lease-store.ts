/** The Lease object behind leader election, read and written through the API server. */
import type { KubeClient } from './client.js';
import type { LeaseRecord, LeaseStore } from './leader-election.js';
import { LEASE } from './resource-type.js';

interface LeaseObject {
  metadata: { resourceVersion?: string };
  spec?: LeaseRecord;
}

export function apiLeaseStore(client: KubeClient, namespace: string, name: string): LeaseStore {
  return {
    async get() {
      const lease = await client.get<LeaseObject>(LEASE, namespace, name);
      if (!lease) return undefined;
      return { record: lease.spec ?? {}, resourceVersion: lease.metadata.resourceVersion ?? '' };
    },
    async create(record) {
      await client.create(LEASE, namespace, { apiVersion: LEASE.apiVersion, kind: LEASE.kind, metadata: { name, namespace }, spec: record });
    },
    async update(record, resourceVersion) {
      await client.update(LEASE, namespace, name, {
        apiVersion: LEASE.apiVersion, kind: LEASE.kind, metadata: { name, namespace, resourceVersion }, spec: record,
      });
    },
  };
}
