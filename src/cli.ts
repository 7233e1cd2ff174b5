#!/usr/bin/env node
/** webstack-operator: one binary, one subcommand per job. Each subcommand lives beside the code it runs. */

type Command = { summary: string; load: () => Promise<{ main(argv: string[]): Promise<number> }> };

const commands: Record<string, Command> = {
  agent: { summary: 'run the agent beside the server in a database pod (fence, physical copy, rebuild)', load: () => import('./agent/command.js') },
  apiserver: { summary: 'run the in-memory Kubernetes API server alone and write a kubeconfig', load: () => import('./sandbox/apiserver/command.js') },
  sandbox: { summary: 'run a WebStack on this machine: API server, operator, pods as local processes', load: () => import('./sandbox/command.js') },
  render: { summary: 'print the Kubernetes objects of the WebStacks in a file (-f FILE) as YAML', load: () => import('./render/command.js') },
  store: { summary: 'serve a stack\'s backup volume to the operator (its backup store pod)', load: () => import('./backup/store-command.js') },
  run: { summary: 'run the operator: reconcile WebStacks (leader election, metrics, health probes)', load: () => import('./controller/command.js') },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: webstack-operator <command> [flags]\n\ncommands:\n${lines.join('\n')}\n`;
}

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`webstack-operator: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  return (await command.load()).main(rest);
}

run(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`webstack-operator: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
