/** `parley` command line: the wallet's scriptable entry point (argv only; the work is in commands.ts). */
import { parseArgs } from 'node:util';
import { ParleyError } from '../names/index.ts';
import type { Values } from './args.ts';
import { ClientError } from './errors.ts';

const usage = `usage: parley <command> [options]        (every command takes --data DIR; default $PARLEY_HOME or ~/.parley)

commands:
  init --login WALLET@AGENT            create a wallet key (mode 0600) and its login name
  whoami [--json]                      print this wallet's login name and key
  agents add NAME --address IP:PORT --key pa1… --static HEX
                                       add an agent to the local directory (parley-agent run prints this line)
  agents list [--json]                 print the local directory of agents
  connect WALLET@AGENT [--json]        open a session with a peer; prints {"path","connectMs","peer"}, exit 0
  send WALLET@AGENT TEXT… [--json]     send one message and wait until the peer has it
  send WALLET@AGENT --stdin [--json]   send each line of standard input over one session
  listen [--json]                      stay online at the home agent; print each message received
  help                                 show this text

network options (connect, send, listen):
  --timeout-ms N      give up connecting after N ms (default 20000)
  --keepalive-ms N    session keepalive and path probe interval: keep it under the NAT's UDP
                      timeout (default 20000 / 5000)
  --bind IP           address of the wallet's UDP socket (default 0.0.0.0)
  --verbose           log dropped packets, punches and path changes to stderr

exit status: 0 done, 1 failed (the message says why, and --json prints {"error","message"}), 2 bad usage`;

const networkOptions = {
  'timeout-ms': { type: 'string' },
  'keepalive-ms': { type: 'string' },
  bind: { type: 'string' },
  verbose: { type: 'boolean' },
} as const;

const commandOptions = {
  init: { login: { type: 'string' } },
  whoami: { json: { type: 'boolean' } },
  agents: { address: { type: 'string' }, key: { type: 'string' }, static: { type: 'string' }, json: { type: 'boolean' } },
  connect: { json: { type: 'boolean' }, ...networkOptions },
  send: { json: { type: 'boolean' }, stdin: { type: 'boolean' }, ...networkOptions },
  listen: { json: { type: 'boolean' }, ...networkOptions },
} as const;

type Command = keyof typeof commandOptions;

export async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(usage);
    return 0;
  }
  if (!Object.hasOwn(commandOptions, command)) {
    console.error(`parley: unknown command ${JSON.stringify(command)}\n\n${usage}`);
    return 2;
  }
  let json = false;
  try {
    const { values, positionals } = parse(command as Command, rest);
    json = values['json'] === true;
    // Commands load on demand, so `help` and a usage error do not load sockets and crypto.
    const commands = await import('./commands.ts');
    return await commands.run(command as Command, values, positionals);
  } catch (error) {
    if (!(error instanceof ParleyError)) throw error;
    console.error(`parley ${command}: ${error.message} [${error.code}]`);
    if (json) console.log(JSON.stringify({ error: error.code, message: error.message }));
    return error instanceof ClientError && error.code === 'CLIENT_USAGE' ? 2 : 1;
  }
}

function parse(command: Command, args: string[]): { values: Values; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options: { data: { type: 'string' }, ...commandOptions[command] }, strict: true, allowPositionals: true });
    return { values: parsed.values as Values, positionals: parsed.positionals };
  } catch (error) {
    throw new ClientError('CLIENT_USAGE', `${(error as Error).message} (parley help lists the options)`);
  }
}
