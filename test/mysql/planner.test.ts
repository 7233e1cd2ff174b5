import { describe, expect, test } from '@jest/globals';
import { parseGtidSet } from '../../src/mysql/gtid.js';
import type { InstanceObservation } from '../../src/mysql/observation.js';
import { decide, errantTransactions, ordinalOf, pickCandidate, rolesFor, type Action, type PlannerInput } from '../../src/mysql/planner.js';
import type { ClusterState } from '../../src/mysql/ports.js';
import { down, name, primary, replica, spec, up } from './fixtures.js';

const NOW = 1_000_000;
const ok: ClusterState = { primary: name(0), bootstrapped: true, exporterAccount: true };
const UUID0 = '00000000-0000-0000-0000-000000000100';
const UUID2 = '00000000-0000-0000-0000-000000000102';
/** The operator's case: pods can be deleted, and none was restarted yet. */
const restarts = { settleMs: 30_000, restartedAt: {} };

interface Case {
  title: string;
  observations: InstanceObservation[];
  record?: ClusterState;
  input?: Partial<PlannerInput>;
  expected: Partial<Action> & { kind: Action['kind'] };
  /** A fragment the reason must contain. */
  why?: string;
}

function tlsReplica(o: InstanceObservation): InstanceObservation {
  return { ...o, state: { ...o.state!, replica: { ...o.state!.replica!, sourceTls: true } } };
}

const cases: Case[] = [
  { title: 'no instances yet', observations: [], record: {}, expected: { kind: 'none' }, why: 'no database instances' },
  { title: 'fresh cluster bootstraps pod 0', observations: [up(0), up(1), up(2)], record: {},
    expected: { kind: 'bootstrap', primary: name(0) } },
  { title: 'fresh cluster bootstraps the requested primary', observations: [up(0), up(1), up(2)], record: {},
    input: { spec: { ...spec, desiredPrimary: name(2) } }, expected: { kind: 'bootstrap', primary: name(2) } },
  { title: 'an interrupted bootstrap keeps its recorded primary', observations: [up(0), up(1), up(2)], record: { primary: name(1) },
    expected: { kind: 'bootstrap', primary: name(1) } },
  { title: 'bootstrap waits for its primary to answer', observations: [down(0), up(1), up(2)], record: {},
    expected: { kind: 'none' }, why: 'waiting for shop-mysql-0' },
  { title: 'a writable replica is fenced first', observations: [primary(0), replica(1, 0, '0-100-10', { writable: true }), replica(2, 0)],
    expected: { kind: 'configure', fixes: [{ kind: 'fence', instance: name(1), method: 'restart' }] } },
  { title: 'a returning old primary still writable is restarted, even before anything else',
    observations: [up(0, { writable: true, executed: '0-100-12' }), primary(1, '0-100-10,0-101-3'), replica(2, 1, '0-100-10,0-101-3')],
    record: { primary: name(1), bootstrapped: true, exporterAccount: true }, expected: { kind: 'configure', fixes: [{ kind: 'fence', instance: name(0), method: 'restart' }] } },
  { title: 'a returning old primary writable without writes of its own is restarted too (it serves nobody)',
    observations: [up(0, { writable: true, executed: '0-100-10' }), primary(1, '0-100-10,0-101-3'), replica(2, 1, '0-100-10,0-101-3')],
    record: { primary: name(1), bootstrapped: true, exporterAccount: true }, expected: { kind: 'configure', fixes: [{ kind: 'fence', instance: name(0), method: 'restart' }] } },
  { title: 'the old primary back read-only after its restart is not fenced again: it rejoins',
    observations: [up(0, { executed: '0-100-10' }), primary(1, '0-100-10,0-101-3'), replica(2, 1, '0-100-10,0-101-3')],
    record: { primary: name(1), bootstrapped: true, exporterAccount: true }, expected: { kind: 'rejoin', instance: name(0), unquarantine: false } },
  { title: 'without a way to restart, a returning old primary is fenced by SQL',
    observations: [up(0, { writable: true, executed: '0-100-12' }), primary(1, '0-100-10,0-101-3'), replica(2, 1, '0-100-10,0-101-3')],
    record: { primary: name(1), bootstrapped: true, exporterAccount: true }, input: { restarts: undefined },
    expected: { kind: 'configure', fixes: [{ kind: 'fence', instance: name(0), method: 'sql' }] } },
  { title: 'an old primary restarted moments ago is left to come back, not restarted again',
    observations: [up(0, { writable: true, executed: '0-100-12' }), primary(1, '0-100-10,0-101-3'), replica(2, 1, '0-100-10,0-101-3')],
    record: { primary: name(1), bootstrapped: true, exporterAccount: true }, input: { restarts: { settleMs: 30_000, restartedAt: { [name(0)]: NOW - 29_999 } } },
    expected: { kind: 'none' }, why: 'waiting for it to come back read-only' },
  { title: 'an old primary still writable long after its restart is fenced by SQL',
    observations: [up(0, { writable: true, executed: '0-100-12' }), primary(1, '0-100-10,0-101-3'), replica(2, 1, '0-100-10,0-101-3')],
    record: { primary: name(1), bootstrapped: true, exporterAccount: true }, input: { restarts: { settleMs: 30_000, restartedAt: { [name(0)]: NOW - 30_000 } } },
    expected: { kind: 'configure', fixes: [{ kind: 'fence', instance: name(0), method: 'sql' }] } },
  { title: 'no writable server at all before bootstrap (fenced by SQL: nothing to roll back)', observations: [up(0, { writable: true }), up(1)], record: {},
    expected: { kind: 'configure', fixes: [{ kind: 'fence', instance: name(0), method: 'sql' }] } },
  { title: 'an interrupted bootstrap fences a writable other instance by SQL', observations: [up(0, { writable: true }), up(1)],
    record: { primary: name(1) }, expected: { kind: 'configure', fixes: [{ kind: 'fence', instance: name(0), method: 'sql' }] } },
  { title: 'a read-only recorded primary is made writable', observations: [up(0, { executed: '0-100-10', semiSource: true }), replica(1, 0), replica(2, 0)],
    expected: { kind: 'configure', fixes: [{ kind: 'promote', instance: name(0) }] } },
  { title: 'a primary back read-only without writes its replicas hold is replaced, not made writable',
    observations: [up(0, { executed: '0-100-9' }), replica(1, 0, '0-100-10'), replica(2, 0, '0-100-10')],
    expected: { kind: 'failover', from: name(0) }, why: 'restarted without writes its replicas hold' },
  { title: 'a primary back without writes its replicas hold is reported when failover is off',
    observations: [up(0, { executed: '0-100-9' }), replica(1, 0, '0-100-10'), replica(2, 0, '0-100-10')],
    input: { spec: { ...spec, failoverEnabled: false } }, expected: { kind: 'none' }, why: 'restarted without writes its replicas hold' },
  { title: 'a recorded primary that still replicates is promoted', observations: [up(0, { writable: true, source: 1, semiSource: true }), replica(1, 0)],
    expected: { kind: 'configure', fixes: [{ kind: 'promote', instance: name(0) }] } },
  { title: 'semi-sync source turned on', observations: [up(0, { writable: true, executed: '0-100-10' }), replica(1, 0), replica(2, 0)],
    expected: { kind: 'configure', fixes: [{ kind: 'semiSyncSource', instance: name(0), wait: true }] } },
  { title: 'semi-sync source turned off in async mode', observations: [primary(0), replica(1, 0, '0-100-10', { semiReplica: false })],
    input: { spec: { ...spec, replicationMode: 'async' } }, expected: { kind: 'configure', fixes: [{ kind: 'semiSyncSource', instance: name(0), wait: false }] } },
  { title: 'a replica without a source rejoins', observations: [primary(0), up(1, { executed: '0-100-10' }), replica(2, 0)],
    expected: { kind: 'rejoin', instance: name(1), unquarantine: false }, why: 'no replication source' },
  { title: 'a replica following the wrong source rejoins', observations: [primary(0), replica(1, 2), replica(2, 0)],
    expected: { kind: 'rejoin', instance: name(1) }, why: 'not the primary' },
  { title: 'a replica without TLS to a primary that now serves it (restarted with certificates) rejoins',
    observations: [{ ...primary(0), tls: true }, replica(1, 0), replica(2, 0)],
    expected: { kind: 'rejoin', instance: name(1) }, why: 'replicates from the primary without TLS, which it serves' },
  { title: 'a replica replicating with TLS from a TLS primary is left alone',
    observations: [{ ...primary(0), tls: true }, tlsReplica(replica(1, 0)), tlsReplica(replica(2, 0))],
    expected: { kind: 'none' }, why: 'healthy' },
  { title: 'a healthy stack bootstrapped before the exporter account existed gets it on its primary',
    observations: [primary(0), replica(1, 0), replica(2, 0)], record: { primary: name(0), bootstrapped: true },
    expected: { kind: 'configure', fixes: [{ kind: 'exporterAccount', instance: name(0) }] }, why: 'mysqld-exporter account' },
  { title: 'a broken replica is repaired before the exporter account is made',
    observations: [primary(0), replica(1, 0, '0-100-10', { io: 'No' }), replica(2, 0)], record: { primary: name(0), bootstrapped: true },
    expected: { kind: 'rejoin', instance: name(1) } },
  { title: 'a replica with a stopped IO thread rejoins', observations: [primary(0), replica(1, 0, '0-100-10', { io: 'No' }), replica(2, 0)],
    expected: { kind: 'rejoin', instance: name(1) }, why: 'IO thread stopped' },
  { title: 'a replica whose receiver gave up with an error rejoins all the same (retries exhausted, source lost)',
    observations: [primary(0), replica(1, 0, '0-100-10', { io: 'No', ioError: { errno: 2003, message: "error reconnecting to master 'repl@h:3306' - retry-time: 1  maximum-retries: 10" } }), replica(2, 0)],
    expected: { kind: 'rejoin', instance: name(1), unquarantine: false }, why: 'IO thread stopped: error reconnecting' },
  { title: 'a replica whose source purged the binlogs it needs is left to the rebuild, not repointed forever',
    observations: [primary(0), replica(1, 0, '0-100-3', { io: 'No', ioError: { errno: 1236, message: 'Could not find GTID state requested by slave in any binlog files' } }), replica(2, 0)],
    expected: { kind: 'none' }, why: 'healthy' },
  { title: 'past a replica that needs a rebuild, the next broken replica is still repaired',
    observations: [primary(0), replica(1, 0, '0-100-3', { io: 'No', ioError: { errno: 1236, message: 'purged' } }), replica(2, 0, '0-100-10', { io: 'No' })],
    expected: { kind: 'rejoin', instance: name(2) } },
  { title: 'a replica still trying to reach its source is left to its own retries',
    observations: [primary(0), replica(1, 0, '0-100-10', { io: 'Connecting', ioError: { errno: 2003, message: "Can't connect" } }), replica(2, 0)],
    expected: { kind: 'none' }, why: 'healthy' },
  { title: 'a replica briefly reconnecting is left alone', observations: [primary(0), replica(1, 0, '0-100-10', { io: 'Connecting' }), replica(2, 0)],
    expected: { kind: 'none' }, why: 'healthy' },
  { title: 'a replica with a broken SQL thread is reported, not re-pointed in a loop',
    observations: [primary(0), replica(1, 0, '0-100-9', { sqlError: 'Duplicate entry' }), replica(2, 0)], expected: { kind: 'none' } },
  { title: 'semi-sync replica side turned on', observations: [primary(0), replica(1, 0, '0-100-10', { semiReplica: false }), replica(2, 0)],
    expected: { kind: 'configure', fixes: [{ kind: 'semiSyncReplica', instance: name(1) }] } },
  { title: 'a replica with its own transaction is quarantined', observations: [primary(0), replica(1, 0), replica(2, 0, '0-100-10,0-102-11')],
    expected: { kind: 'quarantine', instance: name(2), errant: '0-102-11' } },
  { title: 'a replica ahead of the probe of its primary is not errant', observations: [primary(0, '0-100-10'), replica(1, 0, '0-100-12'), replica(2, 0)],
    expected: { kind: 'none' }, why: 'healthy' },
  { title: 'a returning old primary with a write the new one lacks is quarantined',
    observations: [up(0, { executed: '0-100-46' }), primary(1, '0-100-45,0-101-50'), replica(2, 1, '0-100-45,0-101-50')],
    record: { primary: name(1), bootstrapped: true, exporterAccount: true }, expected: { kind: 'quarantine', instance: name(0), errant: '0-100-46' } },
  { title: 'a returning old primary contained in the new one rejoins',
    observations: [up(0, { executed: '0-100-45' }), primary(1, '0-100-45,0-101-50'), replica(2, 1, '0-100-45,0-101-50')],
    record: { primary: name(1), bootstrapped: true, exporterAccount: true }, expected: { kind: 'rejoin', instance: name(0), unquarantine: false } },
  { title: 'a quarantined instance stays out while it diverges', observations: [primary(0), replica(1, 0), up(2, { executed: '0-100-10,0-102-11' })],
    record: { ...ok, quarantined: [name(2)] }, expected: { kind: 'none' }, why: 'healthy' },
  { title: 'a quarantined instance that was rebuilt empty rejoins', observations: [primary(0), replica(1, 0), up(2)],
    record: { ...ok, quarantined: [name(2)] }, expected: { kind: 'rejoin', instance: name(2), unquarantine: true } },
  { title: 'an unreachable primary below the threshold is waited for',
    observations: [down(0), replica(1, 0, '0-100-10', { io: 'Connecting' }), replica(2, 0, '0-100-10', { io: 'Connecting' })],
    input: { primaryUnreachableSince: NOW - 1500 }, expected: { kind: 'none' }, why: 'threshold' },
  { title: 'a primary unreachable only from here is not failed over',
    observations: [down(0, 'timeout'), replica(1, 0), replica(2, 0)],
    input: { primaryUnreachableSince: NOW - 5000 }, expected: { kind: 'none', blocked: expect.objectContaining({ reason: 'PrimaryUnreachableFromOperator' }) as never },
    why: 'still receive' },
  { title: 'a crashed primary is failed over to a replica',
    observations: [down(0), replica(1, 0, '0-100-10', { io: 'Connecting' }), replica(2, 0, '0-100-10', { io: 'Connecting' })],
    input: { primaryUnreachableSince: NOW - 2000 }, expected: { kind: 'failover', from: name(0), to: name(1) } },
  { title: 'a hung primary (timeouts) is failed over once replicas lost it',
    observations: [down(0, 'timeout'), replica(1, 0, '0-100-10', { io: 'Connecting' }), replica(2, 0, '0-100-10', { io: 'No' })],
    input: { primaryUnreachableSince: NOW - 3000 }, expected: { kind: 'failover', to: name(1) }, why: 'timeout' },
  { title: 'the replica holding the most received transactions wins',
    observations: [down(0), replica(1, 0, '0-100-10', { io: 'Connecting', retrieved: '0-100-11' }),
      replica(2, 0, '0-100-10', { io: 'Connecting', retrieved: '0-100-12' })],
    input: { primaryUnreachableSince: NOW - 2000 }, expected: { kind: 'failover', to: name(2) } },
  { title: 'executed transactions count as much as received ones',
    observations: [down(0), replica(1, 0, '0-100-12', { io: 'Connecting' }), replica(2, 0, '0-100-10', { io: 'Connecting', retrieved: '0-100-11' })],
    input: { primaryUnreachableSince: NOW - 2000 }, expected: { kind: 'failover', to: name(1) } },
  { title: 'among equals the requested primary wins',
    observations: [down(0), replica(1, 0, '0-100-10', { io: 'Connecting' }), replica(2, 0, '0-100-10', { io: 'Connecting' })],
    input: { primaryUnreachableSince: NOW - 2000, spec: { ...spec, desiredPrimary: name(2) } }, expected: { kind: 'failover', to: name(2) } },
  { title: 'semi-sync refuses to fail over to a lone survivor',
    observations: [down(0), replica(1, 0, '0-100-10', { io: 'Connecting' }), down(2)],
    input: { primaryUnreachableSince: NOW - 2000 }, expected: { kind: 'none', blocked: expect.objectContaining({ reason: 'TooFewHealthyReplicas' }) as never } },
  { title: 'async fails over to a lone survivor',
    observations: [down(0), replica(1, 0, '0-100-10', { io: 'Connecting', semiReplica: false }), down(2)],
    record: ok, input: { primaryUnreachableSince: NOW - 2000, spec: { ...spec, replicationMode: 'async' } }, expected: { kind: 'failover', to: name(1) } },
  { title: 'failover disabled is reported',
    observations: [down(0), replica(1, 0, '0-100-10', { io: 'Connecting' }), replica(2, 0, '0-100-10', { io: 'Connecting' })],
    input: { primaryUnreachableSince: NOW - 9000, spec: { ...spec, failoverEnabled: false } },
    expected: { kind: 'none', blocked: expect.objectContaining({ reason: 'FailoverDisabled' }) as never } },
  { title: 'a replica that cannot apply its relay log is not promoted',
    observations: [down(0), replica(1, 0, '0-100-9', { io: 'Connecting', retrieved: '0-100-10', sqlError: 'boom' }),
      replica(2, 0, '0-100-10', { io: 'Connecting' }), replica(3, 0, '0-100-10', { io: 'Connecting' })],
    input: { primaryUnreachableSince: NOW - 2000 }, expected: { kind: 'failover', to: name(2) } },
  { title: 'no failover when the only complete replica is broken',
    observations: [down(0), replica(1, 0, '0-100-9', { io: 'Connecting', retrieved: '0-100-12', sqlError: 'boom' }),
      replica(2, 0, '0-100-10', { io: 'Connecting' }), replica(3, 0, '0-100-10', { io: 'Connecting' })],
    input: { primaryUnreachableSince: NOW - 2000 }, expected: { kind: 'none', blocked: expect.objectContaining({ reason: 'NoCompleteCandidate' }) as never } },
  { title: 'a replica with its own unreplicated transaction is never promoted',
    observations: [down(0), replica(1, 0, '0-100-10,0-101-11', { io: 'Connecting' }), replica(2, 0, '0-100-10', { io: 'Connecting' }),
      replica(3, 0, '0-100-10', { io: 'Connecting' })],
    input: { primaryUnreachableSince: NOW - 2000 }, expected: { kind: 'failover', to: name(2) } },
  { title: 'a quarantined replica is never promoted',
    observations: [down(0), replica(1, 0, '0-100-10', { io: 'Connecting' }), replica(2, 0, '0-100-10', { io: 'Connecting' }), up(3, { executed: '0-100-10' })],
    record: { ...ok, quarantined: [name(1)] }, input: { primaryUnreachableSince: NOW - 2000 }, expected: { kind: 'failover', to: name(2) } },
  { title: 'a fenced replica is never promoted',
    observations: [down(0), replica(1, 0, '0-100-10', { io: 'Connecting' }), replica(2, 0, '0-100-10', { io: 'Connecting' }), replica(3, 0, '0-100-10', { io: 'Connecting' })],
    input: { primaryUnreachableSince: NOW - 2000, spec: { ...spec, fenced: [name(1)] } }, expected: { kind: 'failover', to: name(2) } },
  { title: 'a fenced replica counts toward semi-sync\'s two survivors (it may have acknowledged) but is not the candidate',
    observations: [down(0), replica(1, 0, '0-100-10', { io: 'Connecting' }), replica(2, 0, '0-100-10', { io: 'Connecting' })],
    input: { primaryUnreachableSince: NOW - 2000, spec: { ...spec, fenced: [name(1)] } }, expected: { kind: 'failover', to: name(2) } },
  { title: 'what only a fenced replica holds blocks the failover instead of being lost',
    observations: [down(0), replica(1, 0, '0-100-10', { io: 'Connecting', retrieved: '0-100-12' }), replica(2, 0, '0-100-10', { io: 'Connecting' })],
    input: { primaryUnreachableSince: NOW - 2000, spec: { ...spec, fenced: [name(1)] } },
    expected: { kind: 'none', blocked: expect.objectContaining({ reason: 'NoCompleteCandidate', message: expect.stringContaining('only fenced shop-mysql-1') }) as never } },
  { title: 'a fenced primary is switched over to a replicating replica',
    observations: [primary(0), replica(1, 0), replica(2, 0)], input: { spec: { ...spec, fenced: [name(0)] } },
    expected: { kind: 'switchover', from: name(0), to: name(1) }, why: 'is fenced' },
  { title: 'a fenced primary is switched over to the requested primary when it can be',
    observations: [primary(0), replica(1, 0), replica(2, 0)], input: { spec: { ...spec, fenced: [name(0)], desiredPrimary: name(2) } },
    expected: { kind: 'switchover', from: name(0), to: name(2) } },
  { title: 'a fenced primary with no unfenced replica stays the primary, saying so',
    observations: [primary(0), replica(1, 0)], input: { spec: { ...spec, fenced: [name(0), name(1)] } },
    expected: { kind: 'none', blocked: expect.objectContaining({ reason: 'FencedPrimaryKept' }) as never } },
  { title: 'a fenced replica is not repaired (its user may be looking into it)',
    observations: [primary(0), up(1, { executed: '0-100-10' }), replica(2, 0)], input: { spec: { ...spec, fenced: [name(1)] } },
    expected: { kind: 'none' }, why: 'healthy' },
  { title: 'a fenced replica with transactions the primary lacks is not quarantined',
    observations: [primary(0), replica(1, 0, '0-100-10,0-101-1'), replica(2, 0)], input: { spec: { ...spec, fenced: [name(1)] } },
    expected: { kind: 'none' }, why: 'healthy' },
  { title: 'a fenced replica that turns writable is still fenced by a restart (nothing but the primary takes writes)',
    observations: [primary(0), replica(1, 0, '0-100-10', { writable: true }), replica(2, 0)], input: { spec: { ...spec, fenced: [name(1)] } },
    expected: { kind: 'configure', fixes: [{ kind: 'fence', instance: name(1), method: 'restart' }] } },
  { title: 'a switchover to a fenced instance is refused',
    observations: [primary(0), replica(1, 0), replica(2, 0)], input: { spec: { ...spec, fenced: [name(1)], desiredPrimary: name(1) } },
    expected: { kind: 'none', blocked: expect.objectContaining({ reason: 'SwitchoverTargetFenced' }) as never } },
  { title: 'a recorded failover in progress is resumed',
    observations: [down(0), up(1, { executed: '0-100-10' }), replica(2, 0, '0-100-10', { io: 'No' })],
    record: { ...ok, failoverInProgress: { kind: 'failover', from: name(0), to: name(1), reason: 'crash', startedAt: '2026-01-01T00:00:00Z' } },
    expected: { kind: 'failover', from: name(0), to: name(1) }, why: 'resuming' },
  { title: 'a recorded switchover in progress is resumed while the old primary answers',
    observations: [up(0, { executed: '0-100-10', semiSource: true }), replica(1, 0), replica(2, 0)],
    record: { ...ok, failoverInProgress: { kind: 'switchover', from: name(0), to: name(1), reason: 'asked', startedAt: '2026-01-01T00:00:00Z' } },
    expected: { kind: 'switchover', from: name(0), to: name(1) } },
  { title: 'a switchover whose old primary died becomes a failover',
    observations: [down(0), replica(1, 0, '0-100-10', { io: 'Connecting' }), replica(2, 0, '0-100-10', { io: 'Connecting' })],
    record: { ...ok, failoverInProgress: { kind: 'switchover', from: name(0), to: name(1), reason: 'asked', startedAt: '2026-01-01T00:00:00Z' } },
    expected: { kind: 'failover', from: name(0), to: name(1) } },
  { title: 'scaling below the primary switches over to the lowest surviving replica first',
    observations: [replica(0, 2), replica(1, 2), primary(2)], record: { primary: name(2), bootstrapped: true, exporterAccount: true },
    input: { spec: { ...spec, replicas: 2 } }, expected: { kind: 'switchover', from: name(2), to: name(0) }, why: 'before the scale-down' },
  { title: 'scaling below the primary prefers the requested primary when it stays',
    observations: [replica(0, 2), replica(1, 2), primary(2)], record: { primary: name(2), bootstrapped: true, exporterAccount: true },
    input: { spec: { ...spec, replicas: 2, desiredPrimary: name(1) } }, expected: { kind: 'switchover', from: name(2), to: name(1) } },
  { title: 'scaling below the primary skips a replica that does not replicate',
    observations: [replica(0, 2, '0-100-10', { io: 'Connecting' }), replica(1, 2), primary(2)], record: { primary: name(2), bootstrapped: true, exporterAccount: true },
    input: { spec: { ...spec, replicas: 2 } }, expected: { kind: 'switchover', from: name(2), to: name(1) } },
  { title: 'scaling below the primary with no replica able to take over is reported, nothing done',
    observations: [replica(0, 2, '0-100-10', { io: 'Connecting' }), primary(2)],
    record: { primary: name(2), bootstrapped: true, exporterAccount: true },
    input: { spec: { ...spec, replicas: 1 } }, expected: { kind: 'none' }, why: 'no replica to switch over to' },
  { title: 'a primary below the replica count is left alone', observations: [primary(0), replica(1, 0), replica(2, 0)],
    input: { spec: { ...spec, replicas: 2 } }, expected: { kind: 'none' }, why: 'healthy' },
  { title: 'a new requested primary starts a switchover', observations: [primary(0), replica(1, 0), replica(2, 0)],
    input: { spec: { ...spec, desiredPrimary: name(2) } }, expected: { kind: 'switchover', from: name(0), to: name(2) } },
  { title: 'a switchover waits for a candidate that does not replicate', observations: [primary(0), replica(1, 0), replica(2, 0, '0-100-10', { io: 'Connecting' })],
    input: { spec: { ...spec, desiredPrimary: name(2) } }, expected: { kind: 'none' }, why: 'waits until' },
  { title: 'a switchover to an unknown pod is reported', observations: [primary(0), replica(1, 0)],
    input: { spec: { ...spec, desiredPrimary: name(7) } }, expected: { kind: 'none', blocked: expect.objectContaining({ reason: 'SwitchoverTargetMissing' }) as never } },
  { title: 'a failed switchover backs off', observations: [primary(0), replica(1, 0), replica(2, 0)],
    input: { spec: { ...spec, desiredPrimary: name(1) }, switchoverBackoff: { until: NOW + 1, why: { reason: 'SwitchoverRolledBack', message: 'rolled back' } } },
    expected: { kind: 'none', blocked: { reason: 'SwitchoverRolledBack', message: 'rolled back' } }, why: 'backoff' },
  { title: 'a recorded primary that vanished is reported', observations: [replica(1, 0), replica(2, 0)],
    expected: { kind: 'none', blocked: expect.objectContaining({ reason: 'PrimaryMissing' }) as never } },
  { title: 'MySQL: an errant replica is quarantined',
    observations: [
      up(0, { flavor: 'mysql', writable: true, executed: `${UUID0}:1-10`, semiSource: true, sourceId: UUID0 }),
      up(1, { flavor: 'mysql', source: 0, executed: `${UUID0}:1-10` }),
      up(2, { flavor: 'mysql', source: 0, executed: `${UUID0}:1-10,${UUID2}:1`, sourceId: UUID2 })],
    input: { spec: { ...spec, engine: 'mysql' } }, expected: { kind: 'quarantine', instance: name(2), errant: `${UUID2}:1` } },
  { title: 'a healthy cluster needs nothing', observations: [primary(0), replica(1, 0), replica(2, 0)], expected: { kind: 'none', reason: 'healthy' } },
];

describe('decide', () => {
  test('has a large table', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  test.each(cases.map((c) => [c.title, c] as const))('%s', (_title, c) => {
    const action = decide({ now: NOW, spec, record: c.record ?? ok, observations: c.observations, restarts, ...c.input });
    expect(action).toMatchObject(c.expected);
    if (c.why) expect(action.reason).toContain(c.why);
  });

  test('observation order does not change the decision', () => {
    const observations = [down(0), replica(2, 0, '0-100-10', { io: 'Connecting' }), replica(1, 0, '0-100-10', { io: 'Connecting' })];
    const action = decide({ now: NOW, spec, record: ok, observations, primaryUnreachableSince: NOW - 5000 });
    expect(action).toMatchObject({ kind: 'failover', to: name(1) });
  });
});

describe('pickCandidate', () => {
  test('uses the last known primary set to spot a survivor’s own transactions', () => {
    const observations = [down(0), replica(1, 0, '0-100-10,0-101-3', { io: 'Connecting' }), replica(2, 0, '0-100-10,0-101-3', { io: 'Connecting' })];
    // Both hold 0-101-3: it came from 101 while it was primary before, and the old primary had it too.
    expect(pickCandidate(observations, name(0), [], spec, parseGtidSet('mariadb', '0-100-10,0-101-3'))).toEqual({ ok: true, name: name(1) });
  });
});

describe('errantTransactions', () => {
  test('ignores what the primary itself originated', () => {
    const p = primary(0, '0-100-10').state!;
    expect(errantTransactions(replica(1, 0, '0-100-11,0-101-2').state!, p).toString()).toBe('0-101-2');
  });
});

describe('rolesFor', () => {
  test('follows the record: the primary, the quarantined, replicas for the rest', () => {
    expect(rolesFor([name(0), name(1), name(2)], { primary: name(1), quarantined: [name(2)] }))
      .toEqual({ [name(0)]: 'replica', [name(1)]: 'primary', [name(2)]: 'quarantined' });
  });

  test('a fenced replica is labelled fenced (out of the replicas Service); a fenced primary stays primary until switched over', () => {
    expect(rolesFor([name(0), name(1), name(2)], { primary: name(0) }, [name(0), name(2)]))
      .toEqual({ [name(0)]: 'primary', [name(1)]: 'replica', [name(2)]: 'fenced' });
  });
});

test('ordinalOf reads the digits after the last dash', () => {
  expect(ordinalOf('shop-mysql-12')).toBe(12);
  expect(ordinalOf('weird')).toBe(Number.MAX_SAFE_INTEGER);
});
