import { bytesToHex, ParleyError } from '../../names/index.ts';
import { ledgerTransactionBytesMax, mempoolBytesMax, mempoolRejectedRemembered, mempoolTransactionsMax } from '../constants.ts';
import { AgentError } from '../errors.ts';

/**
 * The mempool, pure (no I/O, no clock): transactions waiting for a block. A transaction's
 * signatures are verified once, on admission; a proposer takes verified transactions, and a
 * validator can skip the signature check of any transaction `isVerified` knows. Cheap checks
 * come first (size, then a duplicate or a remembered rejection by its key), so a peer that
 * repeats a transaction, valid or not, costs one hash. When full, a newcomer evicts the
 * transactions with the lowest fee per byte, only if it pays more per byte than they do.
 * Gossip between peers is the driver's business: it offers what it hears to `add`.
 */

/** What the ledger learns checking a transaction (signatures included). */
export type Admitted = {
  readonly fee: bigint;
  /** Keys of the outputs it spends: two pool transactions never spend the same one. */
  readonly spends: readonly string[];
};

export interface AdmissionCheck {
  /** A cheap, stable key of the transaction's bytes (a hash), for dedupe before verifying. */
  key(transaction: Uint8Array): Uint8Array;
  /** Decodes, checks the rules that need no block and verifies every signature. Expensive. */
  admit(transaction: Uint8Array): Admitted | ParleyError;
}

export type MempoolLimits = {
  readonly transactionsMax: number;
  readonly bytesMax: number;
  readonly transactionBytesMax: number;
};

export const defaultMempoolLimits: MempoolLimits = Object.freeze({
  transactionsMax: mempoolTransactionsMax,
  bytesMax: mempoolBytesMax,
  transactionBytesMax: ledgerTransactionBytesMax,
});

type Entry = { readonly key: string; readonly transaction: Uint8Array; readonly fee: bigint; readonly spends: readonly string[]; readonly order: number };

export type AddResult = { readonly ok: true; readonly key: string; readonly evicted: readonly string[] } | { readonly ok: false; readonly error: AgentError };

/** a pays less per byte than b (fee_a/size_a < fee_b/size_b, in integers); ties: the newer is lower. */
function cheaper(a: Entry, b: Entry): boolean {
  const left = a.fee * BigInt(b.transaction.length);
  const right = b.fee * BigInt(a.transaction.length);
  return left < right || (left === right && a.order > b.order);
}

export class Mempool {
  readonly #limits: MempoolLimits;
  readonly #check: AdmissionCheck;
  readonly #entries = new Map<string, Entry>();
  readonly #spentBy = new Map<string, string>();
  readonly #rejected = new Map<string, AgentError>();
  #bytes = 0;
  #order = 0;
  /** How many times `admit` ran (signature checks): tests hold it to one per distinct transaction. */
  verifications = 0;

  constructor(check: AdmissionCheck, limits: MempoolLimits = defaultMempoolLimits) {
    this.#check = check;
    this.#limits = limits;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** True when the transaction's signatures were verified on admission (it is still pooled). */
  isVerified(transaction: Uint8Array): boolean {
    return this.#entries.has(bytesToHex(this.#check.key(transaction)));
  }

  add(transaction: Uint8Array): AddResult {
    const fail = (code: 'CONSENSUS_MEMPOOL_FULL' | 'CONSENSUS_MEMPOOL_DUPLICATE' | 'CONSENSUS_MEMPOOL_TOO_LARGE' | 'CONSENSUS_MEMPOOL_REJECTED', message: string): AddResult => ({
      ok: false,
      error: new AgentError(code, `mempool: ${message}`),
    });
    if (transaction.length > this.#limits.transactionBytesMax) return fail('CONSENSUS_MEMPOOL_TOO_LARGE', `${transaction.length} bytes, at most ${this.#limits.transactionBytesMax}`);
    const key = bytesToHex(this.#check.key(transaction));
    if (this.#entries.has(key)) return fail('CONSENSUS_MEMPOOL_DUPLICATE', `${key.slice(0, 16)} is already pooled`);
    const known = this.#rejected.get(key);
    if (known !== undefined) return { ok: false, error: known };
    this.verifications++;
    const admitted = this.#check.admit(transaction);
    if (admitted instanceof ParleyError) return this.#reject(key, new AgentError('CONSENSUS_MEMPOOL_REJECTED', `mempool: ${admitted.code}: ${admitted.message}`, { cause: admitted }));
    const conflict = admitted.spends.find((spend) => this.#spentBy.has(spend));
    if (conflict !== undefined) return fail('CONSENSUS_MEMPOOL_REJECTED', `${key.slice(0, 16)} spends an output a pooled transaction spends`);
    const entry: Entry = { key, transaction, fee: admitted.fee, spends: admitted.spends, order: this.#order++ };
    const evicted = this.#makeRoom(entry);
    if (evicted === null) return fail('CONSENSUS_MEMPOOL_FULL', `full, and ${key.slice(0, 16)} pays no more per byte than the cheapest`);
    this.#entries.set(key, entry);
    for (const spend of entry.spends) this.#spentBy.set(spend, key);
    this.#bytes += transaction.length;
    return { ok: true, key, evicted };
  }

  /** Transactions for a block: highest fee per byte first, then oldest, within the limits. */
  select(limits: { readonly transactionsMax: number; readonly bytesMax: number }): Uint8Array[] {
    const sorted = [...this.#entries.values()].sort((a, b) => (cheaper(a, b) ? 1 : cheaper(b, a) ? -1 : 0));
    const out: Uint8Array[] = [];
    let bytes = 0;
    for (const entry of sorted) {
      if (out.length >= limits.transactionsMax) break;
      if (bytes + entry.transaction.length > limits.bytesMax) continue;
      out.push(entry.transaction);
      bytes += entry.transaction.length;
    }
    return out;
  }

  /** After a block: drops its transactions and any pooled transaction spending what they spent. */
  removeCommitted(transactions: readonly Uint8Array[], spent: readonly string[] = []): void {
    for (const transaction of transactions) this.#remove(bytesToHex(this.#check.key(transaction)));
    for (const spend of spent) {
      const holder = this.#spentBy.get(spend);
      if (holder !== undefined) this.#remove(holder);
    }
  }

  #reject(key: string, error: AgentError): AddResult {
    if (this.#rejected.size >= mempoolRejectedRemembered) this.#rejected.delete(this.#rejected.keys().next().value!);
    this.#rejected.set(key, error);
    return { ok: false, error };
  }

  /** Evicts the cheapest entries until `entry` fits; null (and nothing evicted) if it cannot. */
  #makeRoom(entry: Entry): string[] | null {
    const fits = (count: number, bytes: number): boolean => count < this.#limits.transactionsMax && bytes + entry.transaction.length <= this.#limits.bytesMax;
    if (fits(this.#entries.size, this.#bytes)) return [];
    const cheapestFirst = [...this.#entries.values()].sort((a, b) => (cheaper(a, b) ? -1 : cheaper(b, a) ? 1 : 0));
    const victims: Entry[] = [];
    let count = this.#entries.size;
    let bytes = this.#bytes;
    for (const victim of cheapestFirst) {
      if (fits(count, bytes)) break;
      if (!cheaper(victim, entry)) return null;
      victims.push(victim);
      count--;
      bytes -= victim.transaction.length;
    }
    if (!fits(count, bytes)) return null;
    for (const victim of victims) this.#remove(victim.key);
    return victims.map((victim) => victim.key);
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    for (const spend of entry.spends) if (this.#spentBy.get(spend) === key) this.#spentBy.delete(spend);
    this.#bytes -= entry.transaction.length;
  }
}
