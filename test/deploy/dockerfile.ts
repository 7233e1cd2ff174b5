/** A small Dockerfile reader: instructions with their arguments, continuation lines joined, comments dropped. */

export type Instruction = { instruction: string; args: string; stage: number };

export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  let stage = -1;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (!full) continue;
    const [, instruction, args] = /^(\S+)\s*(.*)$/.exec(full)!;
    if (instruction.toUpperCase() === 'FROM') stage += 1;
    out.push({ instruction: instruction.toUpperCase(), args, stage });
  }
  return out;
}

/** COPY's flags, sources and destination (shell form only, which is what our Dockerfiles use). */
export function copyParts(args: string): { from?: string; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const rest = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: rest.slice(0, -1), dest: rest[rest.length - 1] };
}
