/** `parley` command line: the wallet's scriptable entry point. */
const usage = `usage: parley <command>

commands:
  help      show this text`;

export async function main(argv: string[]): Promise<number> {
  const [command = 'help'] = argv;
  switch (command) {
    case 'help':
    case '--help':
    case '-h':
      console.log(usage);
      return 0;
    default:
      console.error(`parley: unknown command ${JSON.stringify(command)}\n\n${usage}`);
      return 2;
  }
}
