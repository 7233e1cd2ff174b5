/**
 * Replaying archived binlogs into a restored primary, step by step as the plan says, through
 * `mariadb-binlog` (GTID start and stop positions) and the `mariadb` client. The transactions get
 * the new stack's own GTIDs: the old sequence numbers are dropped from the replayed SQL, since the
 * new primary's GTID history (strict mode) has moved on.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { InstanceAddress } from '../mysql/ports.js';
import { connectionArgs, runTool, type Login } from './client-tools.js';
import { gtidText, type ReplayPlan } from './replay-plan.js';
import type { BackupStore } from './store.js';

const SEQ_NO = /^.*SET @@session\.gtid_seq_no=\d+.*$/gm;

function withoutSequenceNumbers(): Transform {
  let rest = '';
  return new Transform({
    transform(chunk: Buffer, _e, cb) {
      const text = rest + chunk.toString('utf8');
      const cut = text.lastIndexOf('\n') + 1;
      rest = text.slice(cut);
      cb(null, text.slice(0, cut).replace(SEQ_NO, ''));
    },
    flush(cb) {
      cb(null, rest.replace(SEQ_NO, ''));
    },
  });
}

export async function replayBinlogs(plan: ReplayPlan, store: BackupStore, target: InstanceAddress, login: Login): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'webstack-replay-'));
  try {
    for (const step of plan.steps) {
      const file = path.join(dir, path.basename(step.key));
      await pipeline(await store.get(step.key), createWriteStream(file));
      const decode = runTool('mariadb-binlog', ['--no-defaults', `--start-position=${gtidText(step.after)}`, `--stop-position=${gtidText(step.last)}`, file], login);
      decode.child.stdin.end();
      const apply = runTool('mariadb', [...connectionArgs(target, login), '--binary-mode'], login);
      await Promise.all([
        pipeline(decode.child.stdout, withoutSequenceNumbers(), apply.child.stdin),
        decode.done.catch((err: unknown) => { apply.child.kill(); throw err; }),
        apply.done,
      ]).catch((err: unknown) => {
        throw new Error(`replaying ${store.describe(step.key)} (after ${gtidText(step.after)}, through ${gtidText(step.last)}): ${(err as Error).message}`, { cause: err });
      });
      await rm(file, { force: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
