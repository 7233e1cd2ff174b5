/** The arguments of `kubectl webstack`, parsed into a command or an Error naming what is wrong. Pure. */

export type PluginCommand =
  | { verb: 'status'; name: string; namespace?: string }
  | { verb: 'switchover'; name: string; to: string; namespace?: string }
  | { verb: 'backup'; name: string; namespace?: string }
  /** `name` is a database pod's. */
  | { verb: 'fence' | 'unfence'; name: string; namespace?: string }
  | { verb: 'help' };

export const USAGE = `kubectl webstack: operate WebStacks
  kubectl webstack status NAME [-n NAMESPACE]             the stack as a tree
  kubectl webstack switchover NAME --to POD [-n NAMESPACE]  a planned switchover to the replica POD
  kubectl webstack backup NAME [-n NAMESPACE]             a WebStackBackup of the stack, now
  kubectl webstack fence POD [-n NAMESPACE]               take the database pod POD out of service (no reads, never promoted)
  kubectl webstack unfence POD [-n NAMESPACE]             take it back into service`;

export function parseArgs(argv: readonly string[]): PluginCommand | Error {
  const positional: string[] = [];
  let namespace: string | undefined;
  let to: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '-h' || flag === '--help') return { verb: 'help' };
    if (flag === '-n' || flag === '--namespace' || flag === '--to') {
      const value = inline ?? argv[++i];
      if (!value || value.startsWith('-')) return new Error(`${flag} needs a value`);
      if (flag === '--to') to = value; else namespace = value;
    } else if (flag.startsWith('-')) {
      return new Error(`unknown flag ${flag}`);
    } else {
      positional.push(arg);
    }
  }
  const [verb, name, ...extra] = positional;
  if (!verb) return { verb: 'help' };
  if (verb !== 'status' && verb !== 'switchover' && verb !== 'backup' && verb !== 'fence' && verb !== 'unfence') {
    return new Error(`unknown command "${verb}" (status, switchover, backup, fence, unfence)`);
  }
  if (!name) return new Error(verb === 'fence' || verb === 'unfence' ? `${verb} needs the database pod's name` : `${verb} needs the WebStack's name`);
  if (extra.length) return new Error(`unexpected argument "${extra[0]}"`);
  if (verb === 'switchover') {
    if (!to) return new Error('switchover needs --to POD (the replica to promote)');
    return { verb, name, to, namespace };
  }
  if (to) return new Error(`--to belongs to switchover, not ${verb}`);
  return { verb, name, namespace };
}
