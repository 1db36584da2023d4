#!/usr/bin/env node
// Launcher for the `parley-agent` command: loads TypeScript through tsx, resolved from this package.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
