/** The serving subcommands' shared flag parsing (agent, store). */
import { describe, expect, it } from '@jest/globals';
import { parseAgentFlags } from '../src/agent/command.js';
import { parseStoreFlags } from '../src/backup/store-command.js';
import { parseFlags, portFlag } from '../src/serve-command.js';

describe('serving subcommands: flags', () => {
  it('reads --name value and --name=value, only the names given', () => {
    const values = parseFlags(['--port', '80', '--dir=/srv/x'], ['port', 'dir']);
    expect(values).toEqual(new Map([['port', '80'], ['dir', '/srv/x']]));
    expect(() => parseFlags(['--socket', 'x'], ['port', 'dir'])).toThrow("unknown flag '--socket'");
    expect(() => parseFlags(['stray'], ['port'])).toThrow("unknown flag 'stray'");
    expect(() => parseFlags(['--port'], ['port'])).toThrow('--port needs a value');
    expect(() => parseFlags(['--port='], ['port'])).toThrow('--port needs a value');
    expect(parseFlags(['--port', '1', '-h'], ['port'])).toBe('help');
  });

  it('checks the port', () => {
    expect(portFlag(new Map(), 9000)).toBe(9000);
    expect(portFlag(new Map([['port', '0']]), 9000)).toBe(0);
    expect(() => portFlag(new Map([['port', '70000']]), 9000)).toThrow("--port: '70000' is not a port (0-65535)");
    expect(() => portFlag(new Map([['port', 'http']]), 9000)).toThrow("--port: 'http' is not a port");
  });

  it('gives the agent and the store their own flags and defaults', () => {
    expect(parseAgentFlags(['--data-dir', '/d', '--port=1'])).toEqual({ port: 1, bindAddress: undefined, dataDir: '/d', socket: '/d/mysqld.sock' });
    expect(() => parseAgentFlags(['--dir', '/d'])).toThrow("unknown flag '--dir'");
    expect(parseStoreFlags(['--dir', '/b', '--bind-address', '127.0.0.1'])).toMatchObject({ dir: '/b', bindAddress: '127.0.0.1' });
    expect(() => parseStoreFlags(['--data-dir', '/d'])).toThrow("unknown flag '--data-dir'");
  });
});
