/** Public API of agent/devnet/: `parley-agent devnet`, `load` and `start`, and what tests and benchmarks reuse. */
export { createDevnet, devnetFile, loadDevnet, type Devnet, type DevnetAgent, type DevnetOptions } from './create.ts';
export { LoadClient, type LoadOptions, type LoadStats } from './load.ts';
export { AgentProcess, type AgentLine } from './processes.ts';
export { runDevnet, runLoad, type RunDevnetOptions } from './run.ts';
