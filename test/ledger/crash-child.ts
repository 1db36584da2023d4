/**
 * The child of crash.test.ts: applies the blocks in a file to a ledger file, one commit per
 * block, until it is killed or runs out of blocks. Prints "ready <height>" once the store is
 * open, so the parent knows when it is inside the apply loop.
 *
 *   node --import tsx test/ledger/crash-child.ts LEDGER.sqlite BLOCKS.bin PARAMS.json
 */
import { readFileSync } from 'node:fs';
import { decodeBlock } from '../../agent/ledger/block-codec.ts';
import { SqliteLedgerStore } from '../../agent/ledger/store-sqlite.ts';
import { parametersFromJson, type JsonParameters } from './vector-json.ts';

const [ledgerPath, blocksPath, paramsPath] = process.argv.slice(2);
if (ledgerPath === undefined || blocksPath === undefined || paramsPath === undefined) throw new Error('usage: crash-child LEDGER BLOCKS PARAMS');
const params = parametersFromJson(JSON.parse(readFileSync(paramsPath, 'utf8')) as JsonParameters);
const blocks = readBlocks(readFileSync(blocksPath));
const store = SqliteLedgerStore.open(ledgerPath, params);
const start = store.tip() === null ? 0 : store.tip()!.header.height + 1;
process.stdout.write(`ready ${start}\n`);
for (const block of blocks.slice(start)) {
  const result = store.apply(block);
  if (!result.ok) {
    process.stderr.write(`block ${block.header.height}: ${result.error.code} ${result.error.message}\n`);
    process.exit(3);
  }
}
store.close();
process.stdout.write('done\n');

/** Blocks back to back, each after a u32 length. */
function readBlocks(bytes: Uint8Array): ReturnType<typeof decodeBlock>[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: ReturnType<typeof decodeBlock>[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const length = view.getUint32(offset);
    out.push(decodeBlock(bytes.subarray(offset + 4, offset + 4 + length)));
    offset += 4 + length;
  }
  return out;
}
