/**
 * Rebuilds of MySQL 8.4 instances through SQL alone (no agent copy): the target runs CLONE INSTANCE
 * FROM the donor (sql/mysql-clone.ts) on a session of its own that lasts as long as the copy, and
 * the state is read back from the target's performance_schema.clone_status, which survives the
 * server's restart on the copy. An operator that restarts mid-clone finds the clone there; a clone
 * that could not restart its server (error 3707, or that answer lost with the operator) is restarted
 * by a SHUTDOWN, and the pod's container starts the server again on the copy.
 */
import type { InstanceAddress, InstanceRebuilder, RebuildProgress } from './ports.js';
import { scrub } from './sanitize.js';
import { asText } from './sql/dialect.js';
import { cancelClone, CLONE_PLUGIN_STATUS, CLONE_STATUS, cloneRecipientStatements, parseCloneStatus, SHUTDOWN, type CloneProgress } from './sql/mysql-clone.js';
import type { SessionOpener } from './sql/sql-database.js';

export interface CloneRebuilderOptions {
  /** The stack's instances now (the topology): where the target and the donor are. */
  instances: () => Promise<InstanceAddress[]>;
  /** A session on `addr` with the admin account; `queryMs`: the deadline of each statement (the clone's is long). */
  open: (addr: InstanceAddress, queryMs?: number) => SessionOpener;
  /** The account the target clones from the donor with: it needs BACKUP_ADMIN there (the admin account has ALL). */
  donorUser: string;
  donorPassword: string;
  /** How long a clone may run (the rebuild's own bound). */
  cloneTimeoutMs: number;
  /** The name the target dials the donor by (default its address): the clone plugin takes no IPv6 address. */
  donorHost?: (donor: InstanceAddress) => string;
}

/** A CLONE statement this process sent, until it ends; its error when it failed before clone_status could say so. */
interface Statement {
  running: boolean;
  error?: string;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class CloneRebuilder implements InstanceRebuilder {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly opts: CloneRebuilderOptions) {}

  private async address(name: string): Promise<InstanceAddress> {
    const addr = (await this.opts.instances()).find((i) => i.name === name);
    if (!addr) throw new Error(`${name} is not among the instances`);
    return addr;
  }

  private async clone(target: InstanceAddress): Promise<CloneProgress> {
    return parseCloneStatus(await this.opts.open(target)((s) => s.query(CLONE_STATUS)));
  }

  async latest(target: string): Promise<string | undefined> {
    const last = await this.clone(await this.address(target));
    return last.state === 'none' ? undefined : last.id;
  }

  async start(target: string, donor: string): Promise<void> {
    const [t, d] = await Promise.all([this.address(target), this.address(donor)]);
    if (this.statements.get(target)?.running) throw new Error(`a clone of ${target} is running already`);
    const [validDonor, clone] = cloneRecipientStatements({ host: this.opts.donorHost?.(d) ?? d.host, port: d.port, user: this.opts.donorUser, password: this.opts.donorPassword, tls: d.tls });
    const statement: Statement = { running: true };
    this.statements.set(target, statement);
    try {
      await this.opts.open(t)(async (s) => {
        const plugin = asText((await s.query(CLONE_PLUGIN_STATUS))[0]?.status);
        if (plugin !== 'ACTIVE') throw new Error(`${target}: the clone plugin is not active (${plugin || 'not loaded'}); the server config loads mysql_clone.so`);
        await s.query(validDonor);
      });
    } catch (err) {
      // Said by the next progress(), so the rebuild fails and backs off rather than starting again every tick.
      statement.running = false;
      statement.error = errorText(err);
      return;
    }
    // Runs as long as the copy: the manager's ticks follow clone_status meanwhile.
    void this.opts.open(t, this.opts.cloneTimeoutMs)((s) => s.query(clone, this.opts.cloneTimeoutMs)).then(
      () => { statement.running = false; },
      (err: unknown) => {
        statement.running = false;
        statement.error = scrub(errorText(err), [this.opts.donorPassword]);
      },
    );
  }

  async progress(target: string, previous?: string): Promise<RebuildProgress> {
    const t = await this.address(target);
    const clone = await this.clone(t);
    if (clone.state !== 'none' && clone.id !== previous) {
      switch (clone.state) {
        case 'running': return { phase: 'copying', bytes: clone.bytes };
        case 'awaiting-restart':
          await this.restart(t);
          return { phase: 'ready', bytes: clone.bytes };
        case 'completed': return { phase: 'restored', bytes: clone.bytes, durationMs: clone.durationMs, gtid: clone.gtid };
        // The server's words, with the password the statement carried taken out should they ever quote it.
        case 'failed': return { phase: 'failed', error: scrub(`clone from ${clone.source}: ${clone.error}`, [this.opts.donorPassword]) };
      }
    }
    // No clone of this rebuild on the target (yet): the statement this process sent says why, or nothing was sent.
    const statement = this.statements.get(target);
    if (statement?.running) return { phase: 'copying', bytes: 0 };
    if (statement?.error) return { phase: 'failed', error: statement.error };
    return { phase: 'idle' };
  }

  /** Forgets the target's clone; one still running (an abandoned rebuild) is cancelled, so it cannot go on behind a later one. */
  async finish(target: string): Promise<void> {
    const t = await this.address(target);
    await this.opts.open(t)(async (s) => {
      const clone = parseCloneStatus(await s.query(CLONE_STATUS));
      if (clone.state === 'running' && clone.session > 0) await s.query(cancelClone(clone.session));
    });
    this.statements.delete(target);
  }

  /** The server ends its connections as it shuts down: a session cut off is the expected answer. */
  private async restart(target: InstanceAddress): Promise<void> {
    await this.opts.open(target)((s) => s.query(SHUTDOWN)).catch(() => undefined);
  }
}
