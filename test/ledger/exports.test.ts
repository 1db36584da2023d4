import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

/**
 * agent/index.ts is what the client imports: it must stay free of I/O (no SQLite here). Checked in a fresh
 * process, where nothing else has loaded SQLite or sockets yet.
 */
test('agent/index.ts exports the pure ledger and does not load SQLite', () => {
  const script = `
    const agent = await import(${JSON.stringify(new URL('../../agent/index.ts', import.meta.url).href)});
    const { createRequire } = await import('node:module');
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({
      exports: ['applyBlock', 'MemoryLedgerState', 'encodeTransaction', 'headerHash', 'proposeBlock'].filter((name) => typeof agent[name] === 'function'),
      sqlite: loaded.some((path) => path.includes('better-sqlite3')),
      store: 'SqliteLedgerStore' in agent,
    }));
  `;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { exports: string[]; sqlite: boolean; store: boolean };
  assert.deepEqual(report.exports, ['applyBlock', 'MemoryLedgerState', 'encodeTransaction', 'headerHash', 'proposeBlock']);
  assert.equal(report.sqlite, false);
  assert.equal(report.store, false);
});
