import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

/**
 * agent/index.ts carries the pure snapshot API (attestations, chunk checks, the bootstrap
 * machine) but not export.ts or import.ts, which load SQLite. Checked in a fresh process.
 */
test('agent/index.ts exports the pure snapshot API and does not load SQLite', () => {
  const script = `
    const agent = await import(${JSON.stringify(new URL('../../agent/index.ts', import.meta.url).href)});
    const { createRequire } = await import('node:module');
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({
      exports: ['verifyAttestations', 'signAttestation', 'verifyChunk', 'buildSnapshot', 'snapshotFromMemory', 'initialBootstrapState', 'stepBootstrap'].filter((name) => typeof agent[name] === 'function'),
      sqlite: loaded.some((path) => path.includes('better-sqlite3')),
      io: ['exportSnapshot', 'SnapshotImporter'].filter((name) => name in agent),
    }));
  `;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { exports: string[]; sqlite: boolean; io: string[] };
  assert.deepEqual(report.exports, ['verifyAttestations', 'signAttestation', 'verifyChunk', 'buildSnapshot', 'snapshotFromMemory', 'initialBootstrapState', 'stepBootstrap']);
  assert.equal(report.sqlite, false);
  assert.deepEqual(report.io, []);
});
