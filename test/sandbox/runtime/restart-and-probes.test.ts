import { describe, expect, it } from '@jest/globals';
import { ProbeState } from '../../../src/sandbox/runtime/probe-state.js';
import { BACKOFF_INITIAL_MS, BACKOFF_MAX_MS, nextBackoff, shouldRestart } from '../../../src/sandbox/runtime/restart-policy.js';

describe('restart policy', () => {
  it('restarts per restartPolicy', () => {
    expect(shouldRestart(undefined, 0)).toBe(true);
    expect(shouldRestart('Always', 0)).toBe(true);
    expect(shouldRestart('OnFailure', 0)).toBe(false);
    expect(shouldRestart('OnFailure', 1)).toBe(true);
    expect(shouldRestart('OnFailure', null)).toBe(true);
    expect(shouldRestart('Never', 1)).toBe(false);
  });
  it('backs off exponentially up to a ceiling and resets after a long run', () => {
    let d = 0;
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) { d = nextBackoff(d, 100); seen.push(d); }
    expect(seen.slice(0, 3)).toEqual([BACKOFF_INITIAL_MS, BACKOFF_INITIAL_MS * 2, BACKOFF_INITIAL_MS * 4]);
    expect(seen[7]).toBe(BACKOFF_MAX_MS);
    expect(nextBackoff(BACKOFF_MAX_MS, 60_000)).toBe(BACKOFF_INITIAL_MS);
  });
});

describe('ProbeState', () => {
  it('flips only after the thresholds in a row', () => {
    const p = new ProbeState({ successThreshold: 2, failureThreshold: 3 }, false);
    expect(p.record(true)).toBe(false);
    expect(p.record(false)).toBe(false);
    expect(p.record(true)).toBe(false);
    expect(p.record(true)).toBe(true);
    expect(p.passing).toBe(true);
    expect(p.record(false)).toBe(false);
    expect(p.record(false)).toBe(false);
    expect(p.record(true)).toBe(false);
    expect([p.record(false), p.record(false), p.record(false)]).toEqual([false, false, true]);
    expect(p.passing).toBe(false);
  });
});
