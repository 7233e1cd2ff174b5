/** One rebuilder interface, chosen by the engine in one place: the clone plugin for MySQL (no agent needed), the agents for MariaDB. */
import { describe, expect, it } from '@jest/globals';
import { AgentClient } from '../../../src/agent/client.js';
import { AgentRebuilder } from '../../../src/controller/database/agent-rebuilder.js';
import type { PodWatch } from '../../../src/controller/database/pod-watch.js';
import { cloneDonorHost, rebuilderFor, type RebuilderParts } from '../../../src/controller/database/rebuilders.js';
import { CloneRebuilder } from '../../../src/mysql/clone-rebuilder.js';
import { DEFAULT_TIMINGS } from '../../../src/timings.js';

const parts = (engine: 'mysql' | 'mariadb', agents?: AgentClient): RebuilderParts => ({
  engine, namespace: 'shop', stack: 'shop', timings: DEFAULT_TIMINGS.database, pods: {} as PodWatch, agents,
  credentials: { adminUser: 'admin', adminPassword: 'a', replicationUser: 'r', replicationPassword: 'r', databaseName: 'shop', appUser: 'app',
    appPassword: 'p', exporterUser: 'e', exporterPassword: 'e' },
  instances: async () => [], caBundle: () => undefined,
});

describe('rebuilderFor', () => {
  it('MySQL 8.4: the clone plugin through SQL, with or without agents', () => {
    expect(rebuilderFor(parts('mysql'))).toBeInstanceOf(CloneRebuilder);
    expect(rebuilderFor(parts('mysql', new AgentClient({ token: 't' })))).toBeInstanceOf(CloneRebuilder);
  });

  it('MariaDB: the agents, and none without them', () => {
    expect(rebuilderFor(parts('mariadb', new AgentClient({ token: 't' })))).toBeInstanceOf(AgentRebuilder);
    expect(rebuilderFor(parts('mariadb'))).toBeUndefined();
  });

  it('the clone rebuilder looks the instances up when it acts: an unknown one is an error naming it', async () => {
    await expect(rebuilderFor(parts('mysql'))!.progress('shop-mysql-7')).rejects.toThrow('shop-mysql-7 is not among the instances');
  });

  it('the donor is dialled by pod IP, or by its DNS name through the headless Service where the IP is IPv6', () => {
    expect(cloneDonorHost({ name: 'shop-mysql-1', host: '10.244.0.7', port: 3306 }, 'shop', 'team-a')).toBe('10.244.0.7');
    expect(cloneDonorHost({ name: 'shop-mysql-1', host: 'fd00:10:244::7', port: 3306 }, 'shop', 'team-a')).toBe('shop-mysql-1.shop-mysql.team-a.svc');
  });
});
