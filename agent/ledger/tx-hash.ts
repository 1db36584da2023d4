import { taggedHash } from '../../names/index.ts';
import { ledgerSignatureBytes } from '../constants.ts';
import { ByteWriter } from './tx-bytes.ts';
import { encodeTransaction, encodeUnsignedTransaction } from './tx-codec.ts';
import type { Outpoint, Output, Transaction, UnsignedTransaction } from './tx-types.ts';

/**
 * Domain-separated hashes of transactions (BIP340 tagged hashes, so no hash of one kind can
 * be replayed as another). Tags are part of the protocol: docs/PROTOCOL.md "Ledger".
 */
export const ledgerHashTags = {
  transaction: 'parley/ledger/tx',
  witness: 'parley/ledger/tx-witness',
  sighash: 'parley/ledger/sighash',
  header: 'parley/ledger/header',
  parameters: 'parley/ledger/parameters',
  output: 'parley/ledger/output',
} as const;

/**
 * The transaction hash: the id inputs refer to. It covers everything but the signatures
 * (as BIP141's txid), so nobody can change it by re-encoding or re-signing.
 */
export function transactionHash(tx: UnsignedTransaction): Uint8Array {
  return taggedHash(ledgerHashTags.transaction, encodeUnsignedTransaction(tx));
}

/** A transaction's bytes and both hashes from one encoding: the signatures are its tail. */
export type HashedTransaction = { readonly bytes: Uint8Array; readonly txHash: Uint8Array; readonly witnessHash: Uint8Array };

export function hashTransaction(tx: Transaction): HashedTransaction {
  const bytes = encodeTransaction(tx);
  const bodyBytes = bytes.length - 1 - tx.signatures.length * ledgerSignatureBytes;
  return {
    bytes,
    txHash: taggedHash(ledgerHashTags.transaction, bytes.subarray(0, bodyBytes)),
    witnessHash: taggedHash(ledgerHashTags.witness, bytes),
  };
}

/** Covers the signatures too: the key of a signature-verification cache. */
export function witnessHash(tx: Transaction): Uint8Array {
  return taggedHash(ledgerHashTags.witness, encodeTransaction(tx));
}

/**
 * What every authorizing key signs: the transaction hash bound to one chain's parameters, so a
 * signature cannot be replayed on another chain (a devnet fork sharing the same outputs).
 */
export function signatureMessage(parametersHash: Uint8Array, txHash: Uint8Array): Uint8Array {
  return taggedHash(ledgerHashTags.sighash, parametersHash, txHash);
}

/** The 34-byte outpoint as it is written everywhere: tx hash ‖ u16 index. */
export function encodeOutpoint(outpoint: Outpoint): Uint8Array {
  return new ByteWriter().bytes(outpoint.txHash).u16(outpoint.index).finish();
}

/** What the outpoint tree commits for an output: amount u64 ‖ key ‖ host, tagged. */
export function outputHash(output: Output): Uint8Array {
  return taggedHash(ledgerHashTags.output, new ByteWriter().u64(output.amount).bytes(output.key).bytes(output.host).finish());
}

/** A map key for an outpoint. */
export function outpointId(outpoint: Outpoint): string {
  return `${Buffer.from(outpoint.txHash).toString('hex')}:${outpoint.index}`;
}
