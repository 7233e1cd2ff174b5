/**
 * Children that die with the sandbox: `setpriv --pdeathsig KILL` (util-linux) has the kernel
 * SIGKILL the child when the process that started it ends, however it ends (even SIGKILL), so no
 * operator or pod process outlives a sandbox. Without setpriv, the command runs as it is and the
 * next run's leftover sweep (leftovers.ts) has to find what remained.
 */
import { which } from './host-tools.js';

export function withParentDeathSignal(command: string, args: string[]): [string, string[]] {
  const setpriv = which('setpriv');
  return setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, args];
}
