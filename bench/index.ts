import { existsSync, readdirSync } from 'node:fs';

/**
 * `npm run bench -- <name> [--json]` runs the `run(args)` exported by bench/<name>.ts.
 * An unknown or missing name lists the benchmarks there are and exits 2.
 */
type BenchModule = { run?: (args: string[]) => unknown };

const directory = new URL('./', import.meta.url);

async function importBench(name: string): Promise<BenchModule | undefined> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !existsSync(new URL(`${name}.ts`, directory))) return undefined;
  const module = (await import(new URL(`${name}.ts`, directory).href)) as BenchModule;
  return typeof module.run === 'function' ? module : undefined;
}

/** A benchmark is any file here that exports `run`; helpers (report.ts, measure.ts) do not. */
async function availableBenches(): Promise<string[]> {
  const names = readdirSync(directory)
    .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
    .map((file) => file.slice(0, -'.ts'.length))
    .sort();
  const found: string[] = [];
  for (const name of names) if ((await importBench(name)) !== undefined) found.push(name);
  return found;
}

async function main(): Promise<void> {
  const [name = '', ...args] = process.argv.slice(2);
  const bench = await importBench(name);
  if (bench?.run === undefined) {
    const known = await availableBenches();
    process.stderr.write(`${name === '' ? 'no benchmark given' : `unknown benchmark "${name}"`}; available: ${known.join(', ')}\n`);
    process.stderr.write('usage: npm run bench -- <name> [--json]\n');
    process.exit(2);
  }
  await bench.run(args);
}

await main();
