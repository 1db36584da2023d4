/** `parley-agent` command line: the agent daemon's entry point. */
const usage = `usage: parley-agent <command>

commands:
  start     run the embedded default: a local devnet (what \`npm start\` runs)
  help      show this text`;

export async function main(argv: string[]): Promise<number> {
  const [command = 'help'] = argv;
  switch (command) {
    case 'start':
      console.log('parley-agent: devnet not built yet (the consensus issue adds it); nothing to run.');
      return 0;
    case 'help':
    case '--help':
    case '-h':
      console.log(usage);
      return 0;
    default:
      console.error(`parley-agent: unknown command ${JSON.stringify(command)}\n\n${usage}`);
      return 2;
  }
}
