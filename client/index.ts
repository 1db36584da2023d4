/** Public API of client/: the wallet core, CLI and TUI. */
export { main as clientMain } from './cli.ts';
