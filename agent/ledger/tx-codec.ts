import {
  ledgerActionsMax,
  ledgerAmountLimit,
  ledgerHashBytes,
  ledgerInputsMax,
  ledgerKeyBytes,
  ledgerNameBytesMax,
  ledgerOutputsMax,
  ledgerSignatureBytes,
  ledgerSignaturesMax,
  ledgerTransactionBytesMax,
  ledgerTransactionVersion,
} from '../constants.ts';
import { AgentError } from '../errors.ts';
import { ByteReader, ByteWriter } from './tx-bytes.ts';
import type { Action, Endpoint, Outpoint, Output, Transaction, UnsignedTransaction } from './tx-types.ts';

/**
 * Canonical transaction encoding (docs/PROTOCOL.md "Ledger"). Every integer has a fixed width,
 * every variable part a bounded count or length, every flag exactly 0 or 1, so a transaction has
 * exactly one encoding: decode(bytes) succeeds only when encode(decode(bytes)) equals bytes.
 *
 *   version u8 ‖ inputs ‖ outputs ‖ fee u64 ‖ commitment ‖ actions ‖ signatures
 */

const actionTags = { nameRegister: 1, nameRenew: 2, nameTransfer: 3, agentRegister: 4 } as const;

/** The body: everything the transaction hash covers (all but the signatures). */
export function encodeUnsignedTransaction(tx: UnsignedTransaction): Uint8Array {
  expectEncodableBody(tx);
  return writeBody(new ByteWriter(), tx).finish();
}

export function encodeTransaction(tx: Transaction): Uint8Array {
  expectEncodableBody(tx);
  expectCount(tx.signatures.length, ledgerSignaturesMax, 'signature count');
  tx.signatures.forEach((signature, index) => expectLength(signature, ledgerSignatureBytes, `signature ${index}`));
  const writer = writeBody(new ByteWriter(), tx);
  writer.u8(tx.signatures.length);
  for (const signature of tx.signatures) writer.bytes(signature);
  const bytes = writer.finish();
  if (bytes.length > ledgerTransactionBytesMax) {
    throw new AgentError('LEDGER_TOO_LARGE', `transaction: ${bytes.length} bytes, at most ${ledgerTransactionBytesMax}`);
  }
  return bytes;
}

export function decodeTransaction(bytes: Uint8Array): Transaction {
  if (bytes.length > ledgerTransactionBytesMax) {
    throw new AgentError('LEDGER_TOO_LARGE', `transaction: ${bytes.length} bytes, at most ${ledgerTransactionBytesMax}`);
  }
  const reader = new ByteReader(bytes, 'transaction');
  const tx = readTransaction(reader);
  reader.end();
  return tx;
}

/**
 * What encode checks before writing: every field fits its width, so encode never writes bytes
 * that decode would refuse or read back differently (DataView would wrap an out-of-range u64).
 */
function expectEncodableBody(tx: UnsignedTransaction): void {
  if (tx.version !== ledgerTransactionVersion) throw new AgentError('LEDGER_UNKNOWN_VERSION', `transaction: version ${String(tx.version)}`);
  expectCount(tx.inputs.length, ledgerInputsMax, 'input count');
  tx.inputs.forEach((input, index) => {
    expectLength(input.txHash, ledgerHashBytes, `input ${index} tx hash`);
    expectUint(input.index, 0xffff, `input ${index} index`);
  });
  expectCount(tx.outputs.length, ledgerOutputsMax, 'output count');
  tx.outputs.forEach((output, index) => {
    expectU64(output.amount, `output ${index} amount`);
    expectLength(output.key, ledgerKeyBytes, `output ${index} key`);
    expectLength(output.host, ledgerKeyBytes, `output ${index} host`);
  });
  expectU64(tx.fee, 'fee');
  if (tx.commitment !== null) expectLength(tx.commitment, ledgerHashBytes, 'commitment');
  expectCount(tx.actions.length, ledgerActionsMax, 'action count');
  tx.actions.forEach((action, index) => expectEncodableAction(action, `action ${index}`));
}

function expectEncodableAction(action: Action, field: string): void {
  if (!(action.kind in actionTags)) throw new AgentError('LEDGER_NON_CANONICAL', `${field}: unknown action kind ${String(action.kind)}`);
  const nameBytes = new TextEncoder().encode(action.name).length;
  if (nameBytes > ledgerNameBytesMax) throw new AgentError('LEDGER_TOO_LARGE', `${field} name: ${nameBytes} bytes, at most ${ledgerNameBytesMax}`);
  if (action.kind === 'nameRegister' || action.kind === 'nameTransfer') expectLength(action.owner, ledgerKeyBytes, `${field} owner`);
  if (action.kind === 'agentRegister') {
    expectLength(action.key, ledgerKeyBytes, `${field} key`);
    const { family, address, port } = action.endpoint;
    if (family !== 4 && family !== 6) throw new AgentError('LEDGER_NON_CANONICAL', `${field} endpoint: address family ${String(family)}`);
    expectLength(address, family === 4 ? 4 : 16, `${field} endpoint address`);
    expectUint(port, 0xffff, `${field} endpoint port`);
  }
}

function expectCount(count: number, countMax: number, field: string): void {
  if (count > countMax) throw new AgentError('LEDGER_TOO_LARGE', `transaction: ${field} ${count}, at most ${countMax}`);
}

function expectLength(bytes: Uint8Array, length: number, field: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new AgentError('LEDGER_NON_CANONICAL', `transaction: ${field}: expected ${length} bytes`);
  }
}

function expectUint(value: number, valueMax: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > valueMax) throw new AgentError('LEDGER_NON_CANONICAL', `transaction: ${field}: ${value} is not in 0..${valueMax}`);
}

function expectU64(value: bigint, field: string): void {
  if (typeof value !== 'bigint' || value < 0n || value >= ledgerAmountLimit) throw new AgentError('LEDGER_AMOUNT_OVERFLOW', `transaction: ${field}: ${String(value)} is not a u64`);
}

function writeBody(writer: ByteWriter, tx: UnsignedTransaction): ByteWriter {
  writer.u8(tx.version);
  writer.u8(tx.inputs.length);
  for (const input of tx.inputs) writer.bytes(input.txHash).u16(input.index);
  writer.u8(tx.outputs.length);
  for (const output of tx.outputs) writer.u64(output.amount).bytes(output.key).bytes(output.host);
  writer.u64(tx.fee);
  if (tx.commitment === null) writer.u8(0);
  else writer.u8(1).bytes(tx.commitment);
  writer.u8(tx.actions.length);
  for (const action of tx.actions) writeAction(writer, action);
  return writer;
}

function writeAction(writer: ByteWriter, action: Action): void {
  writer.u8(actionTags[action.kind]);
  switch (action.kind) {
    case 'nameRegister':
    case 'nameTransfer':
      writeName(writer, action.name).bytes(action.owner);
      return;
    case 'nameRenew':
      writeName(writer, action.name);
      return;
    case 'agentRegister':
      writeName(writer, action.name).bytes(action.key);
      writeEndpoint(writer, action.endpoint);
      return;
  }
}

function writeName(writer: ByteWriter, name: string): ByteWriter {
  return writer.bytes8(new TextEncoder().encode(name));
}

export function writeEndpoint(writer: ByteWriter, endpoint: Endpoint): ByteWriter {
  return writer.u8(endpoint.family).bytes(endpoint.address).u16(endpoint.port);
}

/**
 * Reads one transaction where it starts in `reader` (blocks hold them back to back: the
 * encoding is self-delimiting). The caller checks the size limit and the end.
 */
export function readTransaction(reader: ByteReader): Transaction {
  const version = reader.u8('version');
  if (version !== ledgerTransactionVersion) reader.fail('LEDGER_UNKNOWN_VERSION', `version ${version}, this code reads ${ledgerTransactionVersion}`);
  const inputs: Outpoint[] = [];
  const inputCount = reader.count8(ledgerInputsMax, 'input count');
  for (let index = 0; index < inputCount; index++) {
    inputs.push({ txHash: reader.bytes(ledgerHashBytes, `input ${index} tx hash`), index: reader.u16(`input ${index} index`) });
  }
  const outputs: Output[] = [];
  const outputCount = reader.count8(ledgerOutputsMax, 'output count');
  for (let index = 0; index < outputCount; index++) {
    const amount = reader.u64(`output ${index} amount`);
    const key = reader.bytes(ledgerKeyBytes, `output ${index} key`);
    outputs.push({ amount, key, host: reader.bytes(ledgerKeyBytes, `output ${index} host`) });
  }
  const fee = reader.u64('fee');
  const commitment = reader.flag('commitment flag') ? reader.bytes(ledgerHashBytes, 'commitment') : null;
  const actions: Action[] = [];
  const actionCount = reader.count8(ledgerActionsMax, 'action count');
  for (let index = 0; index < actionCount; index++) actions.push(readAction(reader, `action ${index}`));
  const signatures: Uint8Array[] = [];
  const signatureCount = reader.count8(ledgerSignaturesMax, 'signature count');
  for (let index = 0; index < signatureCount; index++) signatures.push(reader.bytes(ledgerSignatureBytes, `signature ${index}`));
  return { version, inputs, outputs, fee, commitment, actions, signatures };
}

function readAction(reader: ByteReader, field: string): Action {
  const tag = reader.u8(`${field} kind`);
  switch (tag) {
    case actionTags.nameRegister:
      return { kind: 'nameRegister', name: readName(reader, field), owner: reader.bytes(ledgerKeyBytes, `${field} owner`) };
    case actionTags.nameRenew:
      return { kind: 'nameRenew', name: readName(reader, field) };
    case actionTags.nameTransfer:
      return { kind: 'nameTransfer', name: readName(reader, field), owner: reader.bytes(ledgerKeyBytes, `${field} owner`) };
    case actionTags.agentRegister: {
      const name = readName(reader, field);
      const key = reader.bytes(ledgerKeyBytes, `${field} key`);
      return { kind: 'agentRegister', name, key, endpoint: readEndpoint(reader, `${field} endpoint`) };
    }
    default:
      return reader.fail('LEDGER_NON_CANONICAL', `${field}: unknown action kind ${tag}`);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 exactly (no BOM stripping, no replacement characters); the name rules are in tx-rules.ts. */
function readName(reader: ByteReader, field: string): string {
  const bytes = reader.bytes8(ledgerNameBytesMax, `${field} name`);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return reader.fail('LEDGER_NON_CANONICAL', `${field} name: not UTF-8`);
  }
}

export function readEndpoint(reader: ByteReader, field: string): Endpoint {
  const family = reader.u8(`${field} family`);
  if (family !== 4 && family !== 6) return reader.fail('LEDGER_NON_CANONICAL', `${field}: address family ${family}, expected 4 or 6`);
  const address = reader.bytes(family === 4 ? 4 : 16, `${field} address`);
  return { family, address, port: reader.u16(`${field} port`) };
}
