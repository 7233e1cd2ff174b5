/**
 * Rebuilding this pod's data directory from a donor's physical copy: fetch it through the donor's
 * agent (checked against its trailers), unpack it beside the data directory, prepare it, mark it
 * ready, then fence the local server: the start script swaps the copy in before the server starts
 * again. What is on disk is the truth (ready, restored), so an agent restart loses only a copy
 * in flight, which the operator starts again.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RESTORE_DIR_SUFFIX, RESTORE_INIT_SQL, RESTORE_MARKER } from '../render/mysql-config.js';
import { AgentClient } from './client.js';
import { copiedGtidPosition, extractStream, prepareCopy, type BackupTools } from './mariadb-backup.js';
import type { RestoreRequest, RestoreState } from './protocol.js';

export interface RestoreOptions {
  dataDir: string;
  token: string;
  tools?: BackupTools;
  /** Kills the local server so it restarts on the copy (fenceServer in the pod). */
  fence: () => void;
  now?: () => number;
}

type Finished = Extract<RestoreState, { phase: 'ready' | 'restored' }>;

export class ConflictError extends Error {}

export class Restorer {
  private job?: RestoreState;
  /** The copy in flight: aborting it stops the fetch and the tools; `done` settles once it has stopped. */
  private running?: { controller: AbortController; done: Promise<void> };
  private readonly now: () => number;

  constructor(private readonly opts: RestoreOptions) {
    this.now = opts.now ?? Date.now;
  }

  private get stage(): string {
    return this.opts.dataDir + RESTORE_DIR_SUFFIX;
  }

  state(): RestoreState {
    const restored = readMarker(this.opts.dataDir);
    if (restored) return { ...restored, phase: 'restored' };
    const ready = readMarker(this.stage);
    if (ready) return { ...ready, phase: 'ready' };
    return this.job ?? { phase: 'idle' };
  }

  /** Starts a rebuild; refused while one runs or a finished one is not forgotten yet. */
  start(request: RestoreRequest): RestoreState {
    const current = this.state();
    if (current.phase !== 'idle' && current.phase !== 'failed') {
      throw new ConflictError(`a rebuild from ${current.donor} is ${current.phase}: forget it first (DELETE)`);
    }
    const donor = `${request.donor.host}:${request.donor.port}`;
    const startedAt = new Date(this.now()).toISOString();
    this.job = { phase: 'copying', donor, startedAt, bytes: 0 };
    const controller = new AbortController();
    const done = this.run(request, donor, startedAt, controller.signal).catch((err: unknown) => {
      rmSync(this.stage, { recursive: true, force: true });
      // Abandoned: nothing is left behind, and the next start begins afresh.
      this.job = controller.signal.aborted ? undefined
        : { phase: 'failed', donor, startedAt, error: err instanceof Error ? err.message : String(err) };
    }).finally(() => { this.running = undefined; });
    this.running = { controller, done };
    return this.job;
  }

  /**
   * Forgets a restored or failed rebuild (the operator has pointed replication) and removes its init
   * SQL, and stops one still
   * copying or preparing (the operator abandoned it): the fetch is torn down, so the donor stops its
   * backup, the tools are killed and the staged copy removed; resolves once it has stopped. A copy
   * already ready is being swapped in by the server's restart, and is left to finish.
   */
  async forget(): Promise<void> {
    if (this.state().phase === 'copying' || this.state().phase === 'preparing') await this.abort();
    const current = this.state();
    if (current.phase === 'copying' || current.phase === 'preparing' || current.phase === 'ready') {
      throw new ConflictError(`a rebuild from ${current.donor} is ${current.phase}`);
    }
    rmSync(path.join(this.opts.dataDir, RESTORE_MARKER), { force: true });
    // Read at the first boot on the copy only; a restored MySQL backup's holds the admin password.
    rmSync(path.join(this.opts.dataDir, RESTORE_INIT_SQL), { force: true });
    this.job = undefined;
  }

  private async abort(): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.controller.abort();
    await running.done;
  }

  private async run(request: RestoreRequest, donor: string, startedAt: string, signal: AbortSignal): Promise<void> {
    const began = this.now();
    rmSync(this.stage, { recursive: true, force: true });
    mkdirSync(this.stage, { recursive: true });
    const extraction = extractStream(this.stage, this.opts.tools);
    const client = new AgentClient({ token: this.opts.token });
    let receipt;
    try {
      receipt = await client.physicalCopy(request.donor, extraction.sink, signal);
    } catch (err) {
      extraction.abort();
      await extraction.exit;
      throw err;
    }
    const unpacked = await extraction.exit;
    if (!unpacked.ok) throw new Error(unpacked.message);
    this.job = { phase: 'preparing', donor, startedAt, bytes: receipt.bytes };
    const prepared = await prepareCopy(this.stage, this.opts.tools, signal);
    if (!prepared.ok) throw new Error(prepared.message);
    // Abandoned after the copy was prepared: it must not be marked ready.
    signal.throwIfAborted();
    const gtid = copiedGtidPosition(this.stage);
    // Read once at the first boot on the copy: replication continues from where the copy was taken.
    writeFileSync(path.join(this.stage, RESTORE_INIT_SQL), `SET GLOBAL gtid_slave_pos = '${gtid}';\n`);
    const finished: Finished = { phase: 'ready', donor, startedAt, bytes: receipt.bytes, sha256: receipt.sha256, gtid, durationMs: this.now() - began };
    writeMarker(this.stage, finished);
    this.job = undefined;
    try {
      this.opts.fence();
    } catch {
      // No server runs: the start script swaps the copy in when it starts. Still 'ready', so the operator sees it waiting.
    }
  }
}

function readMarker(dir: string): Omit<Finished, 'phase'> | undefined {
  const file = path.join(dir, RESTORE_MARKER);
  if (!existsSync(file)) return undefined;
  const { phase: _phase, ...rest } = JSON.parse(readFileSync(file, 'utf8')) as Finished;
  return rest;
}

/** Written beside and renamed into place: a marker is whole or absent. */
export function writeMarker(dir: string, state: Finished): void {
  const file = path.join(dir, RESTORE_MARKER);
  writeFileSync(`${file}.tmp`, JSON.stringify(state));
  renameSync(`${file}.tmp`, file);
}
