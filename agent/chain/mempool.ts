import { bytesToHex, ParleyError, taggedHash } from '../../names/index.ts';
import { defaultMempoolLimits, Mempool, type Admitted, type MempoolAddResult as AddResult, type MempoolLimits } from '../consensus/index.ts';
import { AgentError } from '../errors.ts';
import { decodeTransaction } from '../ledger/tx-codec.ts';
import { ledgerHashTags, outpointId, signatureMessage, transactionHash } from '../ledger/tx-hash.ts';
import { checkTransactionRules } from '../ledger/tx-rules.ts';
import { distinctKeys } from '../ledger/tx-sign.ts';
import type { LedgerView } from '../ledger/state-types.ts';
import type { Transaction } from '../ledger/tx-types.ts';
import { fastIsXOnlyPoint, fastSchnorrVerify } from './fast-verify.ts';

/**
 * The ledger's mempool: consensus's pure Mempool (fee order, eviction, duplicate and
 * rejection memory) with the ledger's admission check. A transaction is decoded, checked
 * against the stateless rules, its inputs looked up in the committed ledger, and its signatures
 * verified once (libsecp256k1, fast-verify.ts). Its witness hash (signatures included) is then
 * remembered as verified, so block validation passes it to applyBlock as `preverified` and
 * skips its signatures and point checks (docs/DECISIONS.md "Ledger: validated once").
 *
 * Only transactions whose authorizing keys cannot change are remembered: the keys of spent
 * outputs (an output's key is fixed forever) and of name and agent registrations (in the
 * transaction itself). A renewal or transfer is signed by the name's *current* owner, which a
 * later block can change, so apply verifies those every time.
 */

export type PooledTransaction = {
  readonly tx: Transaction;
  readonly bytes: Uint8Array;
  readonly witnessHex: string;
};

/** Witness hashes verified recently (pooled or not): a block seen before its transactions were gossiped still skips them. */
const verifiedRemembered = 65_536;

export class ChainMempool {
  readonly #ledger: LedgerView;
  readonly #pool: Mempool;
  readonly #decoded = new Map<string, PooledTransaction>();
  readonly #verified = new Set<string>();
  /** Decoded on the last admission, for `add` to keep (Mempool's check only returns fee and spends). */
  #lastAdmitted: PooledTransaction | null = null;

  constructor(ledger: LedgerView, limits: MempoolLimits = defaultMempoolLimits) {
    this.#ledger = ledger;
    this.#pool = new Mempool({ key: witnessKey, admit: (bytes) => this.#admit(bytes) }, limits);
  }

  get size(): number {
    return this.#pool.size;
  }

  /** Signature checks run so far (one per distinct transaction admitted or refused for its signatures). */
  get verifications(): number {
    return this.#pool.verifications;
  }

  has(witnessHex: string): boolean {
    return this.#pool.has(witnessHex);
  }

  add(bytes: Uint8Array): AddResult {
    this.#lastAdmitted = null;
    const result = this.#pool.add(bytes);
    if (result.ok && this.#lastAdmitted !== null) this.#decoded.set(result.key, this.#lastAdmitted);
    if (result.ok) for (const key of result.evicted) this.#decoded.delete(key);
    this.#lastAdmitted = null;
    return result;
  }

  /** applyBlock's `preverified`: this exact transaction passed admission here. */
  isVerified(witnessHash: Uint8Array): boolean {
    return this.#verified.has(bytesToHex(witnessHash));
  }

  /**
   * A transaction of a block that did not come through our pool: the admission check against
   * the committed state, so apply can skip it. False (apply verifies it the slow way) when it
   * spends an output created earlier in the same block, or fails.
   */
  preverify(tx: Transaction, bytes: Uint8Array): boolean {
    const key = bytesToHex(witnessKey(bytes));
    if (this.#verified.has(key)) return true;
    return !(check(this.#ledger, tx, bytes) instanceof ParleyError) && this.#remember(key, tx);
  }

  /** Pooled transactions for a block, highest fee per byte first. */
  select(limits: { readonly transactionsMax: number; readonly bytesMax: number }): PooledTransaction[] {
    const out: PooledTransaction[] = [];
    for (const bytes of this.#pool.select(limits)) {
      const pooled = this.#decoded.get(bytesToHex(witnessKey(bytes)));
      if (pooled !== undefined) out.push(pooled);
    }
    return out;
  }

  /** After a commit: its transactions leave, and so does anything spending what they spent. */
  removeCommitted(transactions: readonly Uint8Array[], spent: readonly string[]): void {
    this.#pool.removeCommitted(transactions, spent);
    for (const key of this.#decoded.keys()) if (!this.#pool.has(key)) this.#decoded.delete(key);
  }

  /** A pooled transaction the proposer found invalid against the state (its input was spent meanwhile). */
  drop(bytes: readonly Uint8Array[]): void {
    this.removeCommitted(bytes, []);
  }

  #admit(bytes: Uint8Array): Admitted | ParleyError {
    let tx: Transaction;
    try {
      tx = decodeTransaction(bytes);
    } catch (error) {
      if (error instanceof ParleyError) return error;
      throw error;
    }
    const checked = check(this.#ledger, tx, bytes);
    if (checked instanceof ParleyError) return checked;
    const witnessHex = bytesToHex(witnessKey(bytes));
    this.#remember(witnessHex, tx);
    this.#lastAdmitted = { tx, bytes, witnessHex };
    return checked;
  }

  #remember(witnessHex: string, tx: Transaction): true {
    if (tx.actions.some((action) => action.kind === 'nameRenew' || action.kind === 'nameTransfer')) return true;
    if (this.#verified.size >= verifiedRemembered) this.#verified.delete(this.#verified.values().next().value!);
    this.#verified.add(witnessHex);
    return true;
  }
}

export function witnessKey(bytes: Uint8Array): Uint8Array {
  return taggedHash(ledgerHashTags.witness, bytes);
}

/** The admission check: rules, inputs unspent in the committed state, every signature. */
function check(ledger: LedgerView, tx: Transaction, bytes: Uint8Array): Admitted | ParleyError {
  try {
    checkTransactionRules(tx, ledger.params, bytes.length, false, { checkKeys: false });
    const keys: Uint8Array[] = [];
    tx.inputs.forEach((input, index) => {
      const found = ledger.output(input);
      if (found === undefined) throw new AgentError('LEDGER_UNKNOWN_OUTPUT', `input ${index}: no committed output ${outpointId(input)}`);
      if (found.spentHeight !== null) throw new AgentError('LEDGER_DOUBLE_SPEND', `input ${index}: output ${outpointId(input)} was spent in block ${found.spentHeight}`);
      keys.push(found.output.key);
    });
    tx.actions.forEach((action, index) => {
      const key = action.kind === 'nameRegister' ? action.owner : action.kind === 'agentRegister' ? action.key : ledger.name(action.name)?.owner;
      if (key === undefined || !fastIsXOnlyPoint(key)) throw new AgentError('LEDGER_BAD_KEY', `action ${index}: no valid authorizing key`);
      if (action.kind === 'nameTransfer' && !fastIsXOnlyPoint(action.owner)) throw new AgentError('LEDGER_BAD_KEY', `action ${index}: new owner is not a key`);
      keys.push(key);
    });
    const distinct = distinctKeys(keys);
    if (tx.signatures.length !== distinct.length) throw new AgentError('LEDGER_SIGNATURE_COUNT', `${tx.signatures.length} signatures for ${distinct.length} distinct authorizing keys`);
    const message = signatureMessage(ledger.parametersHash, transactionHash(tx));
    distinct.forEach((key, index) => {
      if (!fastSchnorrVerify(tx.signatures[index]!, message, key)) throw new AgentError('LEDGER_BAD_SIGNATURE', `signature ${index} does not verify`);
    });
    // After the signatures: a key that just verified one is a point, and change usually goes back
    // to a signer's key, so only the other output keys pay for the check (a square root each).
    const signers = new Set(distinct.map((key) => bytesToHex(key)));
    tx.outputs.forEach((output, index) => {
      if (!signers.has(bytesToHex(output.key)) && !fastIsXOnlyPoint(output.key)) throw new AgentError('LEDGER_BAD_KEY', `output ${index}: key is not a BIP340 x-only public key`);
    });
    return { fee: tx.fee, spends: tx.inputs.map(outpointId) };
  } catch (error) {
    if (error instanceof ParleyError) return error;
    throw error;
  }
}
