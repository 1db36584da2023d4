import { bytesToHex, schnorrSign, schnorrVerify } from '../../names/index.ts';
import { AgentError } from '../errors.ts';
import { signatureMessage, transactionHash } from './tx-hash.ts';
import type { Transaction, UnsignedTransaction } from './tx-types.ts';

/**
 * Authorization: one BIP340 signature per distinct authorizing key over signatureMessage
 * (docs/DECISIONS.md "Ledger" has the measurement against one MuSig2 signature per transaction).
 * A key that is itself a MuSig2 aggregate is signed for by its owners together and verified here
 * as any other key, so multi-party outputs cost the verifier nothing extra.
 *
 * The authorizing keys are, in this order: the key of each spent output (input order), then the
 * key each action needs (apply-actions.ts); a key that appears again adds no signature.
 */
export function distinctKeys(keys: readonly Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  const distinct: Uint8Array[] = [];
  for (const key of keys) {
    const id = bytesToHex(key);
    if (seen.has(id)) continue;
    seen.add(id);
    distinct.push(key);
  }
  return distinct;
}

/**
 * Signs with one secret key per authorizing key, in the order of `distinctKeys`. `auxRand` is
 * for golden tests only (BIP340 default signing draws it fresh).
 */
export function signTransaction(
  tx: UnsignedTransaction,
  parametersHash: Uint8Array,
  secretKeys: readonly Uint8Array[],
  auxRand?: Uint8Array,
): Transaction {
  const message = signatureMessage(parametersHash, transactionHash(tx));
  const signatures = secretKeys.map((secretKey) => schnorrSign(message, secretKey, auxRand));
  return { ...tx, signatures };
}

/**
 * Checks one valid signature per authorizing key. `txHash` is passed in because the caller has
 * already computed it. Throws LEDGER_SIGNATURE_COUNT or LEDGER_BAD_SIGNATURE (naming the key's position).
 */
export function verifyTransactionSignatures(
  tx: Transaction,
  txHash: Uint8Array,
  parametersHash: Uint8Array,
  authorizingKeys: readonly Uint8Array[],
): void {
  const keys = distinctKeys(authorizingKeys);
  if (tx.signatures.length !== keys.length) {
    throw new AgentError('LEDGER_SIGNATURE_COUNT', `${tx.signatures.length} signatures for ${keys.length} distinct authorizing keys`);
  }
  const message = signatureMessage(parametersHash, txHash);
  keys.forEach((key, index) => {
    if (!schnorrVerify(tx.signatures[index]!, message, key)) {
      throw new AgentError('LEDGER_BAD_SIGNATURE', `signature ${index} does not verify for authorizing key ${bytesToHex(key)}`);
    }
  });
}
