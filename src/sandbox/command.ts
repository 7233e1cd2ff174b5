/**
 * `webstack-operator sandbox -f FILE [--control-plane embedded|kube] [--state-dir DIR]`: a whole
 * WebStack on one machine (up.ts). `sandbox kill|stop|cont POD` signals the pod's processes in a
 * running sandbox, `partition|heal` cuts it off or heals it, `sweep` stops what a killed run left:
 * these load only what they need, so they answer at once.
 */
import path from 'node:path';
import { partitionThroughControl, signalThroughControl } from './runtime/control.js';
import { killLeftovers } from './runtime/leftovers.js';
import { parseSandboxArgs, SANDBOX_USAGE } from './runtime/sandbox-args.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseSandboxArgs(argv);
  } catch (err) {
    process.stderr.write(`webstack-operator sandbox: ${(err as Error).message}\n${SANDBOX_USAGE}`);
    return 2;
  }
  if (args.mode === 'help') {
    process.stdout.write(SANDBOX_USAGE);
    return 0;
  }
  if (args.mode === 'sweep') {
    const killed = killLeftovers(path.resolve(args.stateDir));
    say(`stopped ${killed.length} process(es) a sandbox in ${args.stateDir} left behind`);
    return 0;
  }
  if (args.mode === 'partition') {
    say(await partitionThroughControl(args.stateDir, args.namespace, args.pod, args.heal, args.from));
    return 0;
  }
  if (args.mode === 'signal') {
    say(await signalThroughControl(args.stateDir, args.namespace, args.pod, args.signal, args.downForMs));
    return 0;
  }
  return (await import('./up.js')).up(args.file, args.stateDir, args.controlPlane);
}
