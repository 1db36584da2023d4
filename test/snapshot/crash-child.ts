/**
 * The child of crash.test.ts: imports a snapshot from files into a ledger file, one chunk per
 * SQLite transaction (synchronous=FULL), resuming wherever an earlier child was killed, until it
 * is killed or the import is finished. Prints "ready <chunks written>" once the file is open.
 *
 *   node --import tsx test/snapshot/crash-child.ts LEDGER.sqlite SNAPSHOT.bin PARAMS.json
 *
 * SNAPSHOT.bin: attestation count u32 ‖ attestations (205 bytes each) ‖ chunk count u32 ‖
 * (u32 length ‖ chunk ‖ u32 length ‖ proof) per chunk.
 */
import { readFileSync } from 'node:fs';
import { decodeAttestation, verifyAttestations } from '../../agent/snapshot/attestation.ts';
import { verifyChunk } from '../../agent/snapshot/chunk-verify.ts';
import { SnapshotImporter } from '../../agent/snapshot/import.ts';
import { parametersFromJson, type JsonParameters } from '../ledger/vector-json.ts';

const [ledgerPath, snapshotPath, paramsPath] = process.argv.slice(2);
if (ledgerPath === undefined || snapshotPath === undefined || paramsPath === undefined) throw new Error('usage: crash-child LEDGER SNAPSHOT PARAMS');
const params = parametersFromJson(JSON.parse(readFileSync(paramsPath, 'utf8')) as JsonParameters);
const file = readFileSync(snapshotPath);
const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
let offset = 0;
const next = (): Uint8Array => {
  const length = view.getUint32(offset);
  const bytes = new Uint8Array(file.subarray(offset + 4, offset + 4 + length));
  offset += 4 + length;
  return bytes;
};
const attestationCount = view.getUint32(0);
offset = 4;
const attestations = Array.from({ length: attestationCount }, () => decodeAttestation(next()));
const chunkCount = view.getUint32(offset);
offset += 4;
const chunks = Array.from({ length: chunkCount }, () => ({ bytes: next(), proof: next() }));

const trusted = verifyAttestations(attestations.map((attestation) => attestation.authority), attestations, attestations[0]!.claim.chainId);
const importer = SnapshotImporter.open(ledgerPath, params);
importer.begin(trusted);
const start = importer.status!.chunksWritten;
const startedMs = performance.now();
process.stdout.write(`ready ${start}\n`);
for (let index = start; index < chunkCount; index++) {
  const chunk = chunks[index]!;
  importer.writeChunk(verifyChunk(trusted.claim, index, chunk.bytes, chunk.proof));
}
importer.finish().close();
process.stderr.write(`imported ${chunkCount - start} chunks in ${Math.round(performance.now() - startedMs)} ms\n`);
process.stdout.write('done\n');
