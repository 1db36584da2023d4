import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { bytesToHex, hexToBytes, schnorrPublicKey } from '../../names/index.ts';
import { AgentError, agentErrorCodes } from '../../agent/errors.ts';
import { ledgerHeaderBytes, ledgerInputsMax, ledgerTransactionBytesMax } from '../../agent/constants.ts';
import { chainParametersHash, decodeChainParameters, encodeChainParameters } from '../../agent/ledger/block-params.ts';
import { decodeBlock, decodeHeader, encodeBlock, encodeHeader, headerHash } from '../../agent/ledger/block-codec.ts';
import { decodeTransaction, encodeTransaction } from '../../agent/ledger/tx-codec.ts';
import { hashTransaction, signatureMessage, transactionHash, witnessHash } from '../../agent/ledger/tx-hash.ts';
import type { BlockHeader } from '../../agent/ledger/block-types.ts';
import type { Action, Transaction } from '../../agent/ledger/tx-types.ts';
import {
  headerFromJson,
  parametersFromJson,
  transactionFromJson,
  type JsonHeader,
  type JsonParameters,
  type JsonTransaction,
} from './vector-json.ts';

type Invalid = { name: string; hex: string; code: string; note: string };
const vectors = JSON.parse(readFileSync(new URL('./vectors/ledger-codec.json', import.meta.url), 'utf8')) as {
  parameters: { parameters: JsonParameters; hex: string; hash: string };
  transactions: { name: string; transaction: JsonTransaction; hex: string; txHash: string; witnessHash: string; signatureMessage: string }[];
  headers: { name: string; header: JsonHeader; hex: string; hash: string }[];
  invalidTransactions: Invalid[];
  invalidHeaders: Invalid[];
  invalidParameters: Invalid[];
};

function expectLedgerError(run: () => unknown, code: string, note: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof AgentError, `expected an AgentError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.ok(error.message.includes(note), `message ${JSON.stringify(error.message)} should mention ${JSON.stringify(note)}`);
    return true;
  });
}

test('golden bytes: chain parameters', () => {
  const { parameters, hex, hash } = vectors.parameters;
  const params = parametersFromJson(parameters);
  assert.equal(bytesToHex(encodeChainParameters(params)), hex);
  assert.equal(bytesToHex(chainParametersHash(params)), hash);
  assert.deepEqual(decodeChainParameters(hexToBytes(hex)), params);
});

test('golden bytes: transactions, their hashes and signature messages', () => {
  const parametersHash = hexToBytes(vectors.parameters.hash);
  for (const vector of vectors.transactions) {
    const tx = transactionFromJson(vector.transaction);
    assert.equal(bytesToHex(encodeTransaction(tx)), vector.hex, vector.name);
    assert.equal(bytesToHex(transactionHash(tx)), vector.txHash, vector.name);
    assert.equal(bytesToHex(witnessHash(tx)), vector.witnessHash, vector.name);
    assert.equal(bytesToHex(signatureMessage(parametersHash, transactionHash(tx))), vector.signatureMessage, vector.name);
    assert.deepEqual(decodeTransaction(hexToBytes(vector.hex)), tx, vector.name);
    const hashed = hashTransaction(tx);
    assert.equal(bytesToHex(hashed.txHash), vector.txHash, 'hashTransaction agrees with transactionHash');
    assert.equal(bytesToHex(hashed.witnessHash), vector.witnessHash);
  }
});

test('golden bytes: a block header is 217 bytes with its fields in order', () => {
  for (const vector of vectors.headers) {
    const header = headerFromJson(vector.header);
    const bytes = encodeHeader(header);
    assert.equal(bytes.length, ledgerHeaderBytes);
    assert.equal(bytesToHex(bytes), vector.hex);
    assert.equal(bytesToHex(headerHash(header)), vector.hash);
    assert.deepEqual(decodeHeader(bytes), header);
  }
});

test('invalid encodings fail with the code and note of their vector', () => {
  for (const vector of vectors.invalidTransactions) expectLedgerError(() => decodeTransaction(hexToBytes(vector.hex)), vector.code, vector.note);
  for (const vector of vectors.invalidHeaders) expectLedgerError(() => decodeHeader(hexToBytes(vector.hex)), vector.code, vector.note);
  for (const vector of vectors.invalidParameters) expectLedgerError(() => decodeChainParameters(hexToBytes(vector.hex)), vector.code, vector.note);
});

test('encode refuses values that do not fit their fields', () => {
  const tx = transactionFromJson(vectors.transactions[0]!.transaction);
  expectLedgerError(() => encodeTransaction({ ...tx, fee: 1n << 64n }), 'LEDGER_AMOUNT_OVERFLOW', 'fee');
  expectLedgerError(() => encodeTransaction({ ...tx, fee: -1n }), 'LEDGER_AMOUNT_OVERFLOW', 'fee');
  expectLedgerError(() => encodeTransaction({ ...tx, inputs: [{ txHash: new Uint8Array(31), index: 0 }] }), 'LEDGER_NON_CANONICAL', 'input 0 tx hash');
  expectLedgerError(() => encodeTransaction({ ...tx, inputs: [{ txHash: new Uint8Array(32), index: 65_536 }] }), 'LEDGER_NON_CANONICAL', 'input 0 index');
  const tooMany = Array.from({ length: ledgerInputsMax + 1 }, () => ({ txHash: new Uint8Array(32), index: 0 }));
  expectLedgerError(() => encodeTransaction({ ...tx, inputs: tooMany }), 'LEDGER_TOO_LARGE', 'input count');
  expectLedgerError(() => encodeTransaction({ ...tx, signatures: [new Uint8Array(63)] }), 'LEDGER_NON_CANONICAL', 'signature 0');
  const header = headerFromJson(vectors.headers[0]!.header);
  expectLedgerError(() => encodeHeader({ ...header, height: 2 ** 53 }), 'LEDGER_NON_CANONICAL', 'height');
  expectLedgerError(() => encodeHeader({ ...header, outpointRoot: new Uint8Array(31) }), 'LEDGER_NON_CANONICAL', 'outpointRoot');
});

test('an oversized transaction is refused before it is parsed', () => {
  expectLedgerError(() => decodeTransaction(new Uint8Array(ledgerTransactionBytesMax + 1)), 'LEDGER_TOO_LARGE', 'bytes');
});

// ── properties ──

/** Plain objects (fast-check makes null-prototype ones by default, which deepEqual tells apart). */
function record<Model extends Record<string, fc.Arbitrary<unknown>>>(model: Model): fc.Arbitrary<{ [K in keyof Model]: Model[K] extends fc.Arbitrary<infer T> ? T : never }> {
  return fc.record(model, { noNullPrototype: true }) as never;
}
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const name = fc.stringMatching(/^[a-z][a-z0-9]{2,12}$/);
const endpoint = fc.oneof(
  record({ family: fc.constant(4 as const), address: fc.uint8Array({ minLength: 4, maxLength: 4 }), port: fc.integer({ min: 0, max: 0xffff }) }),
  record({ family: fc.constant(6 as const), address: fc.uint8Array({ minLength: 16, maxLength: 16 }), port: fc.integer({ min: 0, max: 0xffff }) }),
);
const action: fc.Arbitrary<Action> = fc.oneof(
  record({ kind: fc.constant('nameRegister' as const), name, owner: bytes32 }),
  record({ kind: fc.constant('nameRenew' as const), name }),
  record({ kind: fc.constant('nameTransfer' as const), name, owner: bytes32 }),
  record({ kind: fc.constant('agentRegister' as const), name, key: bytes32, endpoint }),
);
const transactionArbitrary: fc.Arbitrary<Transaction> = record({
  version: fc.constant(1 as const),
  inputs: fc.array(record({ txHash: bytes32, index: fc.integer({ min: 0, max: 0xffff }) }), { maxLength: 4 }),
  outputs: fc.array(record({ amount: u64, key: bytes32, host: bytes32 }), { maxLength: 4 }),
  fee: u64,
  commitment: fc.option(bytes32, { nil: null }),
  actions: fc.array(action, { maxLength: 3 }),
  signatures: fc.array(fc.uint8Array({ minLength: 64, maxLength: 64 }), { maxLength: 4 }),
});
const headerArbitrary: fc.Arbitrary<BlockHeader> = record({
  version: fc.constant(1 as const),
  parametersHash: bytes32,
  height: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  previousHash: bytes32,
  timeMs: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  transactionCount: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  transactionLogRoot: bytes32,
  outpointRoot: bytes32,
  keyEventRoot: bytes32,
  stakeSnapshotRoot: bytes32,
});

test('property: decode(encode(tx)) = tx, and the hash ignores only the signatures', () => {
  fc.assert(
    fc.property(transactionArbitrary, (tx) => {
      const bytes = encodeTransaction(tx);
      assert.deepEqual(decodeTransaction(bytes), tx);
      const unsigned: Transaction = { ...tx, signatures: [] };
      assert.deepEqual(transactionHash(unsigned), transactionHash(tx));
    }),
    { numRuns: 200 },
  );
});

test('property: decode(encode(header)) = header; blocks round-trip too', () => {
  fc.assert(
    fc.property(headerArbitrary, fc.array(transactionArbitrary, { maxLength: 3 }), (header, transactions) => {
      assert.deepEqual(decodeHeader(encodeHeader(header)), header);
      assert.deepEqual(decodeBlock(encodeBlock({ header, transactions })), { header, transactions });
    }),
    { numRuns: 100 },
  );
});

test('property: flipping any bit of an encoding gives a typed error or another value with other bytes', () => {
  fc.assert(
    fc.property(transactionArbitrary, fc.nat(), (tx, seed) => {
      const bytes = encodeTransaction(tx);
      const bit = seed % (bytes.length * 8);
      const flipped = bytes.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      try {
        const decoded = decodeTransaction(flipped);
        // Canonical: whatever decodes re-encodes to exactly the flipped bytes, so it is not tx.
        assert.equal(bytesToHex(encodeTransaction(decoded)), bytesToHex(flipped));
        assert.notEqual(bytesToHex(witnessHash(decoded)), bytesToHex(witnessHash(tx)));
      } catch (error) {
        assert.ok(error instanceof AgentError && agentErrorCodes.has(error.code), String(error));
      }
    }),
    { numRuns: 300 },
  );
});

test('fuzz: random bytes only ever yield typed errors, and whatever decodes is canonical', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      for (const [decode, encode] of [
        [decodeTransaction, encodeTransaction],
        [decodeHeader, encodeHeader],
        [decodeBlock, encodeBlock],
        [decodeChainParameters, encodeChainParameters],
      ] as [(bytes: Uint8Array) => unknown, (value: never) => Uint8Array][]) {
        try {
          const value = decode(bytes);
          assert.equal(bytesToHex(encode(value as never)), bytesToHex(bytes));
        } catch (error) {
          assert.ok(error instanceof AgentError && agentErrorCodes.has(error.code), String(error));
        }
      }
    }),
    { numRuns: 2000 },
  );
  // Mostly-valid prefixes reach deeper than uniform bytes do.
  const valid = hexToBytes(vectors.transactions[1]!.hex);
  fc.assert(
    fc.property(fc.nat({ max: valid.length }), fc.uint8Array({ maxLength: 40 }), (cut, tail) => {
      const bytes = new Uint8Array([...valid.subarray(0, cut), ...tail]);
      try {
        assert.equal(bytesToHex(encodeTransaction(decodeTransaction(bytes))), bytesToHex(bytes));
      } catch (error) {
        assert.ok(error instanceof AgentError && agentErrorCodes.has(error.code), String(error));
      }
    }),
    { numRuns: 1000 },
  );
});

test('names are stored as exact UTF-8: a decomposed name is kept as written (tx-rules refuses it)', () => {
  const decomposed = 'e\u0301cole';
  const tx: Transaction = {
    version: 1,
    inputs: [],
    outputs: [],
    fee: 0n,
    commitment: null,
    actions: [{ kind: 'nameRegister', name: decomposed, owner: schnorrPublicKey(new Uint8Array(32).fill(1)) }],
    signatures: [],
  };
  const decoded = decodeTransaction(encodeTransaction(tx));
  assert.equal((decoded.actions[0] as { name: string }).name, decomposed);
});
