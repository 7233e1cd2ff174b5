/**
 * The backup suites' pair of real MariaDB stacks: a source to back up and an empty target to
 * restore into (two instances), both with their managers running, and a store directory; with the
 * admin login (over TLS with the stack's CA) and instance addresses the backup tools take.
 */
import { afterAll, beforeAll } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, waitHealthy, type Stack } from '../mysql/harness.js';

/** Registers the suite's hooks; `use` gets the stacks and the directory once both are healthy. */
export function sourceAndTarget(prefix: string, sourceSize: number, use: (source: Stack, target: Stack, dir: string) => void): void {
  let stacks: Stack[] = [];
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    stacks = await Promise.all([startStack({ size: sourceSize }), startStack({ size: 2 })]);
    for (const s of stacks) s.manager.start();
    await Promise.all(stacks.map((s) => waitHealthy(s)));
    use(stacks[0], stacks[1], dir);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(stacks.map((s) => s.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
}

export const login = (s: Stack) => ({ user: s.cluster.credentials.adminUser, password: s.cluster.credentials.adminPassword, caBundle: s.cluster.caBundle });
export const address = (s: Stack, name: string) => s.cluster.addresses().find((a) => a.name === name)!;
