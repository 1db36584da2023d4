import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bytesToHex } from '../../names/index.ts';
import { contentsDigest } from '../../agent/ledger/state-contents.ts';
import { sqliteContents } from '../../agent/ledger/store-contents.ts';
import { SqliteLedgerStore } from '../../agent/ledger/store-sqlite.ts';
import { verifyAttestations } from '../../agent/snapshot/attestation.ts';
import { verifyChunk } from '../../agent/snapshot/chunk-verify.ts';
import { exportSnapshot } from '../../agent/snapshot/export.ts';
import { SnapshotImporter } from '../../agent/snapshot/import.ts';
import { parametersFromJson, type JsonParameters } from '../ledger/vector-json.ts';
import { authoritiesFrom, temporaryDirectory } from './helpers.ts';

/**
 * Frozen fixture (STYLE 10): a file halfway through an import, written by the first version of
 * the importer, must still resume; and today's exporter must still cut the frozen ledger fixture
 * into the same chunks (same state root), or authorities running different versions would sign
 * different roots.
 */
test('frozen fixture: an import begun by import progress version 1 resumes and completes', () => {
  const expected = JSON.parse(readFileSync(new URL('./fixtures/import-v1.json', import.meta.url), 'utf8')) as {
    chunkBytesMax: number;
    authoritySeed: number;
    stateRoot: string;
    chunkCount: number;
    chunksWritten: number;
    contentsDigest: string;
  };
  const ledger = JSON.parse(readFileSync(new URL('../ledger/fixtures/ledger-v1.json', import.meta.url), 'utf8')) as { parameters: JsonParameters };
  const params = parametersFromJson(ledger.parameters);
  const temporary = temporaryDirectory();
  try {
    // Copies: opening writes a WAL, and the fixtures must stay as they are.
    const source = join(temporary.directory, 'ledger.sqlite');
    const target = join(temporary.directory, 'import.sqlite');
    copyFileSync(new URL('../ledger/fixtures/ledger-v1.sqlite', import.meta.url), source);
    copyFileSync(new URL('./fixtures/import-v1.sqlite', import.meta.url), target);
    const store = SqliteLedgerStore.open(source, params);
    const snapshot = exportSnapshot(store, { chunkBytesMax: expected.chunkBytesMax });
    store.close();
    assert.equal(bytesToHex(snapshot.claim.stateRoot), expected.stateRoot, 'the exporter cuts the frozen ledger as it did');
    assert.equal(snapshot.claim.chunkCount, expected.chunkCount);
    const importer = SnapshotImporter.open(target, params);
    const status = importer.status;
    assert.ok(status !== null);
    assert.equal(status.chunksWritten, expected.chunksWritten);
    assert.equal(bytesToHex(status.claim.stateRoot), expected.stateRoot);
    const keys = authoritiesFrom(expected.authoritySeed, 3).map((authority) => authority.publicKey);
    const trusted = verifyAttestations(keys, status.attestations, status.claim.chainId);
    importer.begin(trusted);
    for (let index = status.chunksWritten; index < snapshot.chunks.length; index++) {
      importer.writeChunk(verifyChunk(trusted.claim, index, snapshot.chunks[index]!, snapshot.proveChunk(index)));
    }
    const imported = importer.finish();
    try {
      assert.equal(bytesToHex(contentsDigest(sqliteContents(imported))), expected.contentsDigest);
    } finally {
      imported.close();
    }
  } finally {
    temporary.cleanup();
  }
});
