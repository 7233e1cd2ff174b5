import { describe, expect, it } from '@jest/globals';
import { parseSandboxArgs } from '../../../src/sandbox/runtime/sandbox-args.js';

describe('parseSandboxArgs', () => {
  it('starts a sandbox from a file, in .sandbox by default', () => {
    expect(parseSandboxArgs(['-f', 'x.yaml'])).toEqual({ mode: 'up', file: 'x.yaml', stateDir: '.sandbox', controlPlane: 'embedded' });
    expect(parseSandboxArgs(['--filename=x.yaml', '--state-dir', '/tmp/s'])).toEqual({ mode: 'up', file: 'x.yaml', stateDir: '/tmp/s', controlPlane: 'embedded' });
  });
  it('runs on the real control plane when asked', () => {
    expect(parseSandboxArgs(['-f', 'x.yaml', '--control-plane', 'kube'])).toMatchObject({ mode: 'up', controlPlane: 'kube' });
    expect(parseSandboxArgs(['-f', 'x.yaml', '--control-plane=embedded'])).toMatchObject({ controlPlane: 'embedded' });
    expect(() => parseSandboxArgs(['-f', 'x.yaml', '--control-plane', 'k3s'])).toThrow("--control-plane: 'k3s' must be embedded or kube");
    expect(() => parseSandboxArgs(['kill', 'p', '--control-plane', 'kube'])).toThrow('--control-plane is not used with kill');
  });
  it('maps kill, stop and cont to signals', () => {
    expect(parseSandboxArgs(['kill', 'shop-mysql-0'])).toEqual({ mode: 'signal', signal: 'SIGKILL', pod: 'shop-mysql-0', stateDir: '.sandbox', downForMs: 10_000 });
    expect(parseSandboxArgs(['kill', 'p', '--down-for', '0'])).toMatchObject({ downForMs: 0 });
    expect(parseSandboxArgs(['kill', 'p', '--down-for=1.5s'])).toMatchObject({ downForMs: 1500 });
    expect(parseSandboxArgs(['stop', 'p', '-n', 'blog'])).toMatchObject({ signal: 'SIGSTOP', namespace: 'blog' });
    expect(parseSandboxArgs(['cont', 'p', '--state-dir', 'd'])).toMatchObject({ signal: 'SIGCONT', stateDir: 'd' });
  });
  it('sweeps a state dir', () => {
    expect(parseSandboxArgs(['sweep', '--state-dir', 'd'])).toEqual({ mode: 'sweep', stateDir: 'd' });
    expect(() => parseSandboxArgs(['sweep', 'p'])).toThrow("unexpected argument 'p'");
    expect(() => parseSandboxArgs(['sweep', '-f', 'x.yaml'])).toThrow('sweep takes only --state-dir');
  });
  it('partitions a pod from the pods named or the operator (from everything by default), and heals it', () => {
    expect(parseSandboxArgs(['partition', 'shop-mysql-0'])).toEqual({ mode: 'partition', heal: false, pod: 'shop-mysql-0', from: [], stateDir: '.sandbox' });
    expect(parseSandboxArgs(['partition', 'shop-mysql-0', '--from', 'operator', '--from=shop-mysql-1', '-n', 'blog']))
      .toMatchObject({ mode: 'partition', heal: false, from: ['operator', 'shop-mysql-1'], namespace: 'blog' });
    expect(parseSandboxArgs(['heal', 'shop-mysql-0', '--state-dir', 'd'])).toEqual({ mode: 'partition', heal: true, pod: 'shop-mysql-0', from: [], stateDir: 'd' });
    expect(() => parseSandboxArgs(['heal', 'p', '--from', 'operator'])).toThrow('--from is only used with partition');
    expect(() => parseSandboxArgs(['kill', 'p', '--from', 'q'])).toThrow('--from is only used with partition');
    expect(() => parseSandboxArgs(['partition'])).toThrow('partition: which pod?');
  });
  it('names what is wrong', () => {
    expect(() => parseSandboxArgs([])).toThrow('-f FILE is required');
    expect(() => parseSandboxArgs(['-f'])).toThrow('flag -f needs a value');
    expect(() => parseSandboxArgs(['--bogus', '1'])).toThrow('unknown flag --bogus');
    expect(() => parseSandboxArgs(['reboot', 'p'])).toThrow("unknown action 'reboot'");
    expect(() => parseSandboxArgs(['kill'])).toThrow('kill: which pod?');
    expect(() => parseSandboxArgs(['kill', 'a', 'b'])).toThrow("unexpected argument 'b'");
    expect(() => parseSandboxArgs(['stop', 'a', '--down-for', '1s'])).toThrow('--down-for is only used with kill');
    expect(() => parseSandboxArgs(['kill', 'a', '--down-for', 'soon'])).toThrow("--down-for: 'soon' is not a duration");
  });
  it('asks for help', () => {
    expect(parseSandboxArgs(['-h'])).toEqual({ mode: 'help' });
  });
});
