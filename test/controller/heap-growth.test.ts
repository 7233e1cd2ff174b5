/**
 * setHeapGrowingPercent reaches V8 in a running process: under the chart's heap limit, a process whose
 * retained heap grows to about 100 MB runs fewer full collections with the growth set to 100% than with
 * V8's own rule (counted from --trace-gc in a child process of its own).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

const MODULE = path.resolve('src/controller/heap-growth.ts');

/** Full (mark-compact) collections while `node` keeps 600,000 small objects and drops 30 times as many. */
function fullCollections(percent: number | undefined): number {
  const script = `
    const { setHeapGrowingPercent } = await import(${JSON.stringify(MODULE)});
    if (${percent ?? 'undefined'} !== undefined) setHeapGrowingPercent(${percent});
    const keep = [];
    for (let i = 0; i < 600000; i++) {
      const o = { a: 'x' + i, b: [i, i + 1] };
      keep.push(o);
      const garbage = [];
      for (let j = 0; j < 30; j++) garbage.push({ j, o });
    }
    if (keep.length !== 600000) process.exit(1);`;
  const out = execFileSync(process.execPath, ['--max-old-space-size=160', '--max-semi-space-size=4', '--trace-gc',
    '--import', '@swc-node/register/esm-register', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes('Mark-Compact')).length;
}

describe('the heap growing percent', () => {
  it('makes full collections rarer once set', () => {
    const own = fullCollections(undefined);
    const doubled = fullCollections(100);
    expect(doubled).toBeGreaterThan(0);
    expect(doubled).toBeLessThan(own);
  }, 60_000);
});
